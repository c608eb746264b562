//! The GMV chart: net GMV per day as bars above the line, refunds as bars below it, and the
//! trailing 7-day average as a line over them.

use anyhow::Result;
use plotters::prelude::*;

use super::data::GmvSeries;
use super::style::{self, Area, BLUE, Canvas, GRID, MUTED, ORANGE, VERMILLION, failed};
use crate::db::programs::Program;
use crate::domain::format_cents;

pub fn draw(root: &Area<'_>, canvas: &Canvas, program: &Program, s: &GmvSeries) -> Result<()> {
    let subtitle = format!(
        "{}, {} ({}): {} net, {} refunded",
        program.name,
        s.period,
        program.timezone.name(),
        format_cents(s.gmv_cents(), &program.currency),
        format_cents(s.refunded_gmv_cents(), &program.currency),
    );
    let body = style::header(root, canvas, "Net GMV per day", &subtitle)?;
    if s.is_empty() {
        return style::empty(&body, canvas, "No sales in this period");
    }
    let n = s.days.len();
    let top = s
        .days
        .iter()
        .map(|d| d.gmv_cents.max(d.average_7d_cents))
        .max()
        .unwrap_or(0)
        .max(100) as f64;
    let bottom = s
        .days
        .iter()
        .map(|d| d.refunded_gmv_cents)
        .max()
        .unwrap_or(0) as f64;
    let y_min = if bottom > 0.0 { -bottom * 1.15 } else { 0.0 };
    let mut chart = ChartBuilder::on(&body)
        .margin(canvas.px(24.0))
        .x_label_area_size(canvas.px(44.0))
        .y_label_area_size(canvas.px(110.0))
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, y_min..top * 1.15)
        .map_err(failed)?;
    let days: Vec<_> = s.days.iter().map(|d| d.day).collect();
    let day_label = |x: &f64| day_tick(&days, *x);
    let money = |y: &f64| style::axis_money(*y, &program.currency);
    style::house_mesh(&mut chart.configure_mesh(), canvas)
        .disable_x_mesh()
        .x_labels(8)
        .y_labels(6)
        .x_label_formatter(&day_label)
        .y_label_formatter(&money)
        .draw()
        .map_err(failed)?;
    let half = 0.38;
    chart
        .draw_series(s.days.iter().enumerate().map(|(i, d)| {
            let x = i as f64;
            Rectangle::new(
                [(x - half, 0.0), (x + half, d.gmv_cents as f64)],
                BLUE.filled(),
            )
        }))
        .map_err(failed)?
        .label("Net GMV")
        .legend(move |(x, y)| Rectangle::new([(x, y - 7), (x + 18, y + 7)], BLUE.filled()));
    if bottom > 0.0 {
        chart
            .draw_series(s.days.iter().enumerate().map(|(i, d)| {
                let x = i as f64;
                Rectangle::new(
                    [(x - half, 0.0), (x + half, -(d.refunded_gmv_cents as f64))],
                    VERMILLION.filled(),
                )
            }))
            .map_err(failed)?
            .label("Refunded (below the line)")
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 7), (x + 18, y + 7)], VERMILLION.filled())
            });
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(-0.5, 0.0), (n as f64 - 0.5, 0.0)],
                MUTED.stroke_width(1),
            )))
            .map_err(failed)?;
    }
    let line = ORANGE.stroke_width(canvas.px(4.0) as u32);
    chart
        .draw_series(std::iter::once(PathElement::new(
            s.days
                .iter()
                .enumerate()
                .map(|(i, d)| (i as f64, d.average_7d_cents as f64))
                .collect::<Vec<_>>(),
            line,
        )))
        .map_err(failed)?
        .label("7-day average")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], line));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(canvas.label())
        .background_style(WHITE.mix(0.85))
        .border_style(GRID)
        .margin(canvas.px(10.0))
        .draw()
        .map_err(failed)?;
    Ok(())
}

/// The day under an axis tick at `x` (a day's index), `Nov 6`; nothing between days.
pub(super) fn day_tick(days: &[chrono::NaiveDate], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 0.01 || i < 0.0 {
        return String::new();
    }
    days.get(i as usize)
        .map_or(String::new(), |d| d.format("%b %-d").to_string())
}
