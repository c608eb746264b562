//! The Pareto chart: the cumulative share of GMV made by the top share of selling creators, the
//! line of equal shares under it, and the top 1 / 5 / 10 / 20 % marked with their shares written
//! beside the curve.

use anyhow::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::ParetoSeries;
use super::style::{self, Area, BLUE, Canvas, MUTED, VERMILLION, failed};
use crate::db::programs::Program;
use crate::domain::format_cents;
use crate::domain::pareto::ParetoShare;

pub fn draw(root: &Area<'_>, canvas: &Canvas, program: &Program, s: &ParetoSeries) -> Result<()> {
    let subtitle = format!(
        "{}, {} ({}): {} selling creators, {} net GMV",
        program.name,
        s.period,
        program.timezone.name(),
        style::count(s.selling_creators as i64),
        format_cents(s.gmv_cents, &program.currency),
    );
    let body = style::header(root, canvas, "Share of GMV by top creators", &subtitle)?;
    if s.points.is_empty() {
        return style::empty(&body, canvas, "No sales in this period");
    }
    let mut chart = ChartBuilder::on(&body)
        .margin(canvas.px(24.0))
        .margin_right(canvas.px(40.0))
        .x_label_area_size(canvas.px(70.0))
        .y_label_area_size(canvas.px(90.0))
        .build_cartesian_2d(0f64..1.0, 0f64..1.02)
        .map_err(failed)?;
    let pct = |v: &f64| format!("{:.0}%", v * 100.0);
    style::house_mesh(&mut chart.configure_mesh(), canvas)
        .x_labels(11)
        .y_labels(6)
        .x_label_formatter(&pct)
        .y_label_formatter(&pct)
        .x_desc("Selling creators, best first")
        .y_desc("Share of GMV")
        .axis_desc_style(canvas.text(18.0))
        .draw()
        .map_err(failed)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (1.0, 1.0)],
            MUTED.stroke_width(canvas.px(2.0) as u32),
        )))
        .map_err(failed)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            s.points.clone(),
            BLUE.stroke_width(canvas.px(4.0) as u32),
        )))
        .map_err(failed)?;
    let marks = grouped(&s.marks, s.selling_creators);
    let radius = canvas.px(7.0);
    chart
        .draw_series(
            marks
                .iter()
                .map(|m| Circle::new((m.x, m.share), radius, VERMILLION.filled())),
        )
        .map_err(failed)?;
    // Each mark's percentages beside its point (up and to the left, where the curve is not), and
    // the full sentence in the empty lower right.
    let tag = Pos::new(HPos::Right, VPos::Bottom);
    for m in &marks {
        let (x, y) = chart.backend_coord(&(m.x, m.share));
        root.draw(&Text::new(
            m.percents.clone(),
            (x - canvas.px(8.0), y - canvas.px(6.0)),
            canvas.text(18.0).color(&VERMILLION).pos(tag),
        ))
        .map_err(failed)?;
    }
    let (x_right, y_bottom) = chart.backend_coord(&(1.0, 0.0));
    let line = canvas.px(30.0);
    let lines: Vec<String> = marks.iter().map(|m| m.sentence.clone()).collect();
    let right = Pos::new(HPos::Right, VPos::Bottom);
    for (i, text) in lines.iter().rev().enumerate() {
        root.draw(&Text::new(
            text.clone(),
            (
                x_right - canvas.px(16.0),
                y_bottom - canvas.px(16.0) - line * i as i32,
            ),
            canvas.text(20.0).pos(right),
        ))
        .map_err(failed)?;
    }
    Ok(())
}

/// One marked point: the marks that fall on the same creator count share it.
struct Mark {
    x: f64,
    share: f64,
    /// `1% · 5% · 10%`
    percents: String,
    /// `Top 1% / 5% / 10% (1 creator): 61.0% of GMV`
    sentence: String,
}

fn grouped(marks: &[ParetoShare], selling: u64) -> Vec<Mark> {
    let mut out: Vec<(u64, f64, Vec<u32>)> = Vec::new();
    for m in marks {
        let Some(share) = m.gmv_share else { continue };
        match out.last_mut() {
            Some((creators, _, percents)) if *creators == m.creators => {
                percents.push(m.top_percent)
            }
            _ => out.push((m.creators, share, vec![m.top_percent])),
        }
    }
    out.into_iter()
        .map(|(creators, share, percents)| {
            let list: Vec<String> = percents.iter().map(|p| format!("{p}%")).collect();
            let who = if creators == 1 { "creator" } else { "creators" };
            Mark {
                x: creators as f64 / selling.max(1) as f64,
                share,
                percents: list.join(" · "),
                sentence: format!(
                    "Top {} ({} {who}): {} of GMV",
                    list.join(" / "),
                    style::count(creators as i64),
                    style::percent(share)
                ),
            }
        })
        .collect()
}
