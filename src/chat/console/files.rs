//! Where the console workspace puts the images it cannot show: each chart of a post or a reply is
//! written as a PNG file in one directory, under a name no other image takes, and the console
//! prints where it went.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::chat::commands::reply::{Block, Reply};

/// The directory the console writes images to. Cloning shares the numbering.
#[derive(Debug)]
pub struct ImageFiles {
    dir: PathBuf,
    written: AtomicU64,
}

impl ImageFiles {
    pub fn new(dir: impl Into<PathBuf>) -> ImageFiles {
        ImageFiles {
            dir: dir.into(),
            written: AtomicU64::new(0),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `png` as `<n>-<file_name>` (`n` counting the images written so far, so a chart
    /// drawn again never overwrites the one before); the file's path.
    pub fn save(&self, file_name: &str, png: &[u8]) -> io::Result<PathBuf> {
        std::fs::create_dir_all(&self.dir)?;
        let n = self.written.fetch_add(1, Ordering::Relaxed) + 1;
        // Only the name's last component, whatever the name says.
        let name = Path::new(file_name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "chart.png".into());
        let path = self.dir.join(format!("{n}-{name}"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// The line the console prints for an image: where it went, or why it is not there.
    pub fn shown(&self, file_name: &str, alt: &str, png: &[u8]) -> String {
        match self.save(file_name, png) {
            Ok(path) => format!("[chart \"{alt}\" saved to {}]", path.display()),
            Err(e) => format!(
                "[chart \"{alt}\" could not be saved in {}: {e}]",
                self.dir.display()
            ),
        }
    }

    /// The reply as the console prints it, each image written to a file and shown as the line
    /// saying where it went.
    pub fn reply_text(&self, reply: &Reply) -> String {
        let mut shown = reply.clone();
        for block in &mut shown.blocks {
            if let Block::Image {
                png,
                file_name,
                alt,
            } = block
            {
                let line = self.shown(file_name, alt, png);
                *block = Block::Text(line.into());
            }
        }
        shown.text()
    }
}
