//! The ranked charts: the leaderboard and a competition's standings, as horizontal bars with the
//! creators' handles beside them and each value written at the end of its bar.

use anyhow::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ChartMetric;
use super::data::{Bar, BoardSeries, CompetitionSeries};
use super::style::{self, Area, BLUE, BLUISH_GREEN, Canvas, failed};
use crate::db::programs::Program;
use crate::domain::{Tier, format_cents};

/// Handles longer than this are cut (with `…`) so the bars keep their room.
const HANDLE_CHARS: usize = 22;

/// A value as people read it: money for GMV, a count otherwise.
pub fn value(metric: ChartMetric, currency: &str, v: i64) -> String {
    match metric {
        ChartMetric::Gmv => format_cents(v, currency),
        ChartMetric::Videos | ChartMetric::Views => style::count(v),
    }
}

pub fn draw_leaderboard(
    root: &Area<'_>,
    canvas: &Canvas,
    program: &Program,
    s: &BoardSeries,
) -> Result<()> {
    let title = format!("Top creators by {}", s.metric.name());
    let subtitle = format!(
        "{}, {} ({})",
        program.name,
        s.period,
        program.timezone.name()
    );
    let empty = match s.metric {
        ChartMetric::Gmv => "No sales in this period",
        ChartMetric::Videos => "No videos posted in this period",
        ChartMetric::Views => "No views in this period",
    };
    draw(
        root,
        canvas,
        program,
        (&title, &subtitle),
        s.metric,
        &s.bars,
        BLUE,
        empty,
    )
}

pub fn draw_competition(
    root: &Area<'_>,
    canvas: &Canvas,
    program: &Program,
    s: &CompetitionSeries,
) -> Result<()> {
    let title = format!("{}: standings", s.name);
    let scope = match s.tier.as_deref().map(str::parse::<Tier>) {
        Some(Ok(t)) => t.display_name().to_string(),
        _ => "everyone".to_string(),
    };
    let subtitle = format!(
        "{}: most {}, {} ({}), open to {}, {}",
        program.name,
        s.metric.name(),
        s.window,
        program.timezone.name(),
        scope,
        if s.ended { "final" } else { "so far" },
    );
    draw(
        root,
        canvas,
        program,
        (&title, &subtitle),
        s.metric,
        &s.bars,
        BLUISH_GREEN,
        "No entries yet",
    )
}

#[allow(clippy::too_many_arguments)]
fn draw(
    root: &Area<'_>,
    canvas: &Canvas,
    program: &Program,
    (title, subtitle): (&str, &str),
    metric: ChartMetric,
    bars: &[Bar],
    colour: RGBColor,
    empty: &str,
) -> Result<()> {
    let body = style::header(root, canvas, title, subtitle)?;
    if bars.is_empty() {
        return style::empty(&body, canvas, empty);
    }
    let k = bars.len();
    let max = bars.iter().map(|b| b.value).max().unwrap_or(1).max(1) as f64;
    let mut chart = ChartBuilder::on(&body)
        .margin(canvas.px(24.0))
        .margin_right(canvas.px(40.0))
        .x_label_area_size(canvas.px(44.0))
        .y_label_area_size(canvas.px(300.0))
        // Room at the right for the value written after the longest bar.
        .build_cartesian_2d(0f64..max * 1.25, -0.5f64..k as f64 - 0.5)
        .map_err(failed)?;
    let currency = program.currency.clone();
    let x_label = move |x: &f64| match metric {
        ChartMetric::Gmv => style::axis_money(*x, &currency),
        _ => style::count(x.round() as i64),
    };
    style::house_mesh(&mut chart.configure_mesh(), canvas)
        .disable_y_mesh()
        .y_labels(0)
        .y_label_formatter(&|_| String::new())
        .x_labels(6)
        .x_label_formatter(&x_label)
        .draw()
        .map_err(failed)?;
    // Best at the top.
    let row = |i: usize| (k - 1 - i) as f64;
    let half = 0.34;
    chart
        .draw_series(bars.iter().enumerate().map(|(i, b)| {
            Rectangle::new(
                [(0.0, row(i) - half), (b.value as f64, row(i) + half)],
                colour.filled(),
            )
        }))
        .map_err(failed)?;
    let left = Pos::new(HPos::Left, VPos::Center);
    let right = Pos::new(HPos::Right, VPos::Center);
    for (i, b) in bars.iter().enumerate() {
        let (x0, y) = chart.backend_coord(&(0.0, row(i)));
        let (x1, _) = chart.backend_coord(&(b.value as f64, row(i)));
        root.draw(&Text::new(
            format!("{}. @{}", b.rank, cut(&b.handle)),
            (x0 - canvas.px(10.0), y),
            canvas.text(20.0).pos(right),
        ))
        .map_err(failed)?;
        root.draw(&Text::new(
            value(metric, &program.currency, b.value),
            (x1 + canvas.px(8.0), y),
            canvas.text(18.0).pos(left),
        ))
        .map_err(failed)?;
    }
    Ok(())
}

fn cut(handle: &str) -> String {
    if handle.chars().count() <= HANDLE_CHARS {
        handle.to_string()
    } else {
        let mut s: String = handle.chars().take(HANDLE_CHARS - 1).collect();
        s.push('…');
        s
    }
}
