//! `/import <kind>` with a CSV file attached: the same import as the command line.

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
