//! `[charts]`: the size of the chart images the bot draws (`/chart`, `/mystats`, reports and
//! `creator-bot chart`), and where the console workspace writes them. 1200×675 (16:9) reads well on a phone and in a desktop client alike.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// Narrowest and widest image accepted, in pixels.
pub const WIDTH_RANGE: (u32, u32) = (480, 3840);
/// Lowest and tallest image accepted, in pixels.
pub const HEIGHT_RANGE: (u32, u32) = (270, 2160);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChartsConfig {
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// Where the console workspace (`creator-bot demo`, `run` without a chat platform) writes
    /// the charts it cannot show; unset: `creator-bot-charts` in the system's temporary
    /// directory.
    pub console_dir: Option<std::path::PathBuf>,
}

impl Default for ChartsConfig {
    fn default() -> Self {
        ChartsConfig {
            width: 1200,
            height: 675,
            console_dir: None,
        }
    }
}

impl ChartsConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (key, value, (min, max)) in [
            ("charts.width", self.width, WIDTH_RANGE),
            ("charts.height", self.height, HEIGHT_RANGE),
        ] {
            if !(min..=max).contains(&value) {
                return Err(ConfigError(format!(
                    "{key}: {value} is out of range: use {min} to {max} pixels"
                )));
            }
        }
        // Text is sized from the smaller side's scale: a very thin strip would crush it.
        let ratio = f64::from(self.width) / f64::from(self.height);
        if !(1.0..=3.0).contains(&ratio) {
            return Err(ConfigError(format!(
                "charts.width: {}×{} is not a landscape image: width must be 1 to 3 times the \
                 height (e.g. 1200×675)",
                self.width, self.height
            )));
        }
        Ok(())
    }

    /// Where the console writes chart images.
    pub fn console_dir(&self) -> std::path::PathBuf {
        self.console_dir
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join("creator-bot-charts"))
    }

    /// `(width, height)` in pixels.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_checked_by_key() {
        assert!(ChartsConfig::default().validate().is_ok());
        let c = ChartsConfig {
            width: 100,
            height: 675,
            ..ChartsConfig::default()
        };
        assert_eq!(
            c.validate().unwrap_err().0,
            "charts.width: 100 is out of range: use 480 to 3840 pixels"
        );
        let c = ChartsConfig {
            width: 1200,
            height: 5000,
            ..ChartsConfig::default()
        };
        assert_eq!(
            c.validate().unwrap_err().0,
            "charts.height: 5000 is out of range: use 270 to 2160 pixels"
        );
        let c = ChartsConfig {
            width: 600,
            height: 1200,
            ..ChartsConfig::default()
        };
        assert_eq!(
            c.validate().unwrap_err().0,
            "charts.width: 600×1200 is not a landscape image: width must be 1 to 3 times the \
             height (e.g. 1200×675)"
        );
    }
}
