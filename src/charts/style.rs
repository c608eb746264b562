//! How every chart looks: the canvas (size, white background, header with the title and the
//! period), the embedded font, the colour-blind-safe palette, text sizes that grow with the image,
//! money and count labels, and the PNG encoding.
//!
//! Palette (Okabe & Ito, "Color Universal Design", 2008), told apart with any common colour
//! vision deficiency: blue `#0072B2` (net GMV, the main series), orange `#E69F00` (averages and
//! All-Stars), vermillion `#D55E00` (refunds and marks), bluish green `#009E73` (videos, Steady
//! Earners), sky blue `#56B4E9` (New & Promising), reddish purple `#CC79A7`, yellow `#F0E442`,
//! black for text. Grey is used for grids and notes only.

use std::sync::OnceLock;

use anyhow::{Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::domain::format_cents;

pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
pub const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
pub const TEXT: RGBColor = RGBColor(0x00, 0x00, 0x00);
/// Secondary text (the period, notes).
pub const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);

/// The font family every chart writes in (DejaVu Sans, `assets/fonts/`).
pub const FONT: &str = "dejavu-sans";
/// Its bold face, for titles.
pub const BOLD: &str = "dejavu-sans-bold";

static REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Registers the embedded fonts with plotters, once per process.
pub fn fonts() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, REGULAR_TTF).is_ok()
            && plotters::style::register_font(BOLD, FontStyle::Normal, BOLD_TTF).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(anyhow!("the embedded chart font could not be read"))
    }
}

/// The image being drawn: its size and the scale its text and lines are drawn at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Canvas {
    pub width: u32,
    pub height: u32,
}

impl Canvas {
    pub fn new((width, height): (u32, u32)) -> Canvas {
        Canvas { width, height }
    }

    /// 1 at 1200×675; text and margins grow and shrink with the image.
    pub fn scale(&self) -> f64 {
        (f64::from(self.width) / 1200.0).min(f64::from(self.height) / 675.0)
    }

    /// `base` pixels at 1200×675, scaled.
    pub fn px(&self, base: f64) -> i32 {
        (base * self.scale()).round().max(1.0) as i32
    }

    /// The regular font at `base` pixels (at 1200×675); 16 is the smallest any chart uses.
    pub fn text(&self, base: f64) -> TextStyle<'static> {
        (FONT, base * self.scale()).into_font().color(&TEXT)
    }

    pub fn muted(&self, base: f64) -> TextStyle<'static> {
        (FONT, base * self.scale()).into_font().color(&MUTED)
    }

    pub fn title(&self) -> TextStyle<'static> {
        (BOLD, 32.0 * self.scale()).into_font().color(&TEXT)
    }

    /// Axis labels and legends.
    pub fn label(&self) -> TextStyle<'static> {
        self.text(18.0)
    }
}

/// The house look of a chart's axes: labels at the chart's text size, a light grid on the main
/// ticks only, muted axis lines. Returns the mesh, for each chart's own labels and formatters.
pub fn house_mesh<'m, 'a, 'b, X, Y, XT, YT, DB>(
    mesh: &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>,
    canvas: &Canvas,
) -> &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>
where
    X: plotters::coord::ranged1d::Ranged<ValueType = XT>
        + plotters::coord::ranged1d::ValueFormatter<XT>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = YT>
        + plotters::coord::ranged1d::ValueFormatter<YT>,
    DB: DrawingBackend,
{
    mesh.label_style(canvas.label())
        .bold_line_style(GRID)
        .light_line_style(WHITE)
        .axis_style(MUTED)
}

/// Drawing errors carry the backend's error type; charts only need their text.
pub fn failed<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("drawing the chart: {e:?}")
}

pub type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// Fills the image white, writes the title and the line under it (the period and what else
/// frames the chart), and returns the area below them.
pub fn header<'a>(
    root: &Area<'a>,
    canvas: &Canvas,
    title: &str,
    subtitle: &str,
) -> Result<Area<'a>> {
    root.fill(&WHITE).map_err(failed)?;
    let left = canvas.px(28.0);
    root.draw(&Text::new(
        title.to_string(),
        (left, canvas.px(18.0)),
        canvas.title(),
    ))
    .map_err(failed)?;
    root.draw(&Text::new(
        subtitle.to_string(),
        (left, canvas.px(62.0)),
        canvas.muted(20.0),
    ))
    .map_err(failed)?;
    let (_, body) = root.split_vertically(canvas.px(100.0));
    Ok(body)
}

/// Writes `message` in the middle of an empty chart body.
pub fn empty(body: &Area<'_>, canvas: &Canvas, message: &str) -> Result<()> {
    let (w, h) = body.dim_in_pixel();
    let style = canvas
        .muted(26.0)
        .pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Center,
        ));
    body.draw(&Text::new(
        message.to_string(),
        (w as i32 / 2, h as i32 / 2 - canvas.px(40.0)),
        style,
    ))
    .map_err(failed)?;
    Ok(())
}

/// Money for an axis: whole units, as the rest of the bot writes money (`$1,200`).
pub fn axis_money(cents: f64, currency: &str) -> String {
    let whole = (cents / 100.0).round() as i64 * 100;
    format_cents(whole, currency).replacen(".00", "", 1)
}

/// `1234567` → `1,234,567`.
pub fn count(n: i64) -> String {
    crate::domain::messages::format_count(n)
}

/// A share as a percentage with one decimal: `61.5%`.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// The RGB pixels of a drawn canvas as a PNG.
pub fn png(canvas: &Canvas, rgb: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(64 * 1024);
    {
        let mut encoder = png::Encoder::new(&mut out, canvas.width, canvas.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        // Charts are flat colour with sharp edges: Paeth prediction and the default deflate level
        // make them 3 to 6 times smaller than the fast setting, for about 15 ms at 1200×675.
        encoder.set_compression(png::Compression::Default);
        encoder.set_filter(png::FilterType::Paeth);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
    }
    Ok(out)
}
