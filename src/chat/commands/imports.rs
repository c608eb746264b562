//! `/import <kind>` with a CSV file attached: the same import as the command line. Adapters
//! check a file's size against `import.max_upload_bytes` with [`too_large`] before downloading it.

use anyhow::Result;

use super::{Attachment, Context, Reply, Rich};
use crate::features::import::{ImportKind, import_reader};

/// Rejected rows listed in the reply; the rest are counted.
const SHOWN: usize = 10;

pub(super) async fn run(ctx: &Context<'_>, kind: ImportKind, file: &Attachment) -> Result<Reply> {
    let file_name = file.file_name.as_str();
    let size = file.bytes.len() as u64;
    let report = import_reader(
        ctx.pool,
        ctx.program,
        ctx.config,
        kind,
        file_name,
        std::io::Cursor::new(file.bytes.clone()),
        Some(size),
        false,
    )
    .await?;
    // The file name and the rejected values are the user's: marked so they are escaped.
    let mut reply = Reply::done(Rich::user(report.summary()));
    for r in report.rejected.iter().take(SHOWN) {
        reply = reply.line(Rich::user(r.describe(file_name)));
    }
    if report.rejected.len() > SHOWN {
        reply = reply.line(format!(
            "… and {} more rejected rows.",
            report.rejected.len() - SHOWN
        ));
    }
    Ok(reply)
}

/// The refusal of a file over `limit` bytes, in words the caller understands: the file's size
/// and the limit in the limit's unit (MB, KB or bytes), the file rounded up and the limit down so
/// the file always reads as larger.
pub fn too_large(file_name: &str, size: u64, limit: u64) -> Reply {
    let (file_size, largest) = sizes(size, limit);
    // The file name is the user's: marked so it is escaped.
    Reply::refused(Rich::user(file_name).plain(format!(
        " is {file_size}; files up to {largest} can be imported from chat \
         (import.max_upload_bytes). Import larger files with `creator-bot import` on the server."
    )))
}

fn sizes(size: u64, limit: u64) -> (String, String) {
    let (unit, name) = match limit {
        1_000_000.. => (1_000_000, "MB"),
        1_000.. => (1_000, "KB"),
        _ => (1, "bytes"),
    };
    (
        format!("{} {name}", size.div_ceil(unit)),
        format!("{} {name}", limit / unit),
    )
}

#[cfg(test)]
mod tests {
    use super::sizes;

    #[test]
    fn a_file_over_the_limit_always_reads_larger_in_the_limits_unit() {
        let s = |size, limit| {
            let (a, b) = sizes(size, limit);
            format!("{a} > {b}")
        };
        assert_eq!(s(26_214_401, 25 * 1024 * 1024), "27 MB > 26 MB");
        assert_eq!(s(2_000_001, 2_000_000), "3 MB > 2 MB");
        assert_eq!(s(1_500, 1_000), "2 KB > 1 KB");
        assert_eq!(s(600_000, 500_000), "600 KB > 500 KB");
        assert_eq!(s(101, 100), "101 bytes > 100 bytes");
    }
}
