//! One creator's chart: their net GMV per day above, the videos they posted per day below, over
//! the same days.

use anyhow::Result;
use plotters::prelude::*;

use super::data::CreatorSeries;
use super::gmv::day_tick;
use super::style::{self, Area, BLUE, BLUISH_GREEN, Canvas, failed};
use crate::db::programs::Program;
use crate::domain::format_cents;

pub fn draw(root: &Area<'_>, canvas: &Canvas, program: &Program, s: &CreatorSeries) -> Result<()> {
    let videos = s.videos();
    let subtitle = format!(
        "{}, {} ({}): {} net GMV, {} {}",
        program.name,
        s.period,
        program.timezone.name(),
        format_cents(s.gmv_cents(), &program.currency),
        style::count(videos),
        if videos == 1 { "video" } else { "videos" },
    );
    let title = format!("@{}: GMV and videos per day", s.handle);
    let body = style::header(root, canvas, &title, &subtitle)?;
    if s.is_empty() {
        return style::empty(&body, canvas, "No sales and no videos in this period");
    }
    let (_, h) = body.dim_in_pixel();
    let (upper, lower) = body.split_vertically(h * 58 / 100);
    let n = s.days.len();
    let days: Vec<_> = s.days.iter().map(|d| d.day).collect();
    let day_label = |x: &f64| day_tick(&days, *x);
    let half = 0.38;

    let top = s
        .days
        .iter()
        .map(|d| d.gmv_cents)
        .max()
        .unwrap_or(0)
        .max(100) as f64;
    let mut chart = ChartBuilder::on(&upper)
        .margin(canvas.px(16.0))
        .margin_left(canvas.px(24.0))
        .caption("Net GMV", canvas.text(18.0))
        .x_label_area_size(canvas.px(10.0))
        .y_label_area_size(canvas.px(110.0))
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..top * 1.15)
        .map_err(failed)?;
    let money = |y: &f64| style::axis_money(*y, &program.currency);
    style::house_mesh(&mut chart.configure_mesh(), canvas)
        .disable_x_mesh()
        .x_labels(0)
        .x_label_formatter(&|_| String::new())
        .y_labels(5)
        .y_label_formatter(&money)
        .draw()
        .map_err(failed)?;
    chart
        .draw_series(s.days.iter().enumerate().map(|(i, d)| {
            let x = i as f64;
            Rectangle::new(
                [(x - half, 0.0), (x + half, d.gmv_cents as f64)],
                BLUE.filled(),
            )
        }))
        .map_err(failed)?;

    let most = s.days.iter().map(|d| d.videos).max().unwrap_or(0).max(1) as f64;
    let mut chart = ChartBuilder::on(&lower)
        .margin(canvas.px(16.0))
        .margin_left(canvas.px(24.0))
        .caption("Videos posted", canvas.text(18.0))
        .x_label_area_size(canvas.px(44.0))
        .y_label_area_size(canvas.px(110.0))
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..most * 1.2)
        .map_err(failed)?;
    let whole = |y: &f64| {
        if (y - y.round()).abs() < 0.01 {
            style::count(y.round() as i64)
        } else {
            String::new()
        }
    };
    style::house_mesh(&mut chart.configure_mesh(), canvas)
        .disable_x_mesh()
        .x_labels(8)
        .x_label_formatter(&day_label)
        .y_labels((most as usize + 1).min(5))
        .y_label_formatter(&whole)
        .draw()
        .map_err(failed)?;
    chart
        .draw_series(s.days.iter().enumerate().map(|(i, d)| {
            let x = i as f64;
            Rectangle::new(
                [(x - half, 0.0), (x + half, d.videos as f64)],
                BLUISH_GREEN.filled(),
            )
        }))
        .map_err(failed)?;
    Ok(())
}
