//! The tier chart: creators per tier as stacked bars, one at the end of each of the six months
//! before the day, and one for the day itself, with the counts written in and over them.

use anyhow::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::TierSeries;
use super::style::{self, Area, BLUISH_GREEN, Canvas, ORANGE, SKY_BLUE, failed};
use crate::db::programs::Program;
use crate::domain::Tier;

/// Each tier's colour, in [`Tier::ALL`] order.
pub const TIER_COLOURS: [RGBColor; 3] = [ORANGE, BLUISH_GREEN, SKY_BLUE];

pub fn draw(root: &Area<'_>, canvas: &Canvas, program: &Program, s: &TierSeries) -> Result<()> {
    let subtitle = match s.now() {
        Some(m) => format!(
            "{}: at the end of each of the last {} months, and on {} (now)",
            program.name,
            s.mixes.len().saturating_sub(1),
            m.day
        ),
        None => program.name.clone(),
    };
    let body = style::header(root, canvas, "Creators per tier", &subtitle)?;
    if s.is_empty() {
        return style::empty(&body, canvas, "No creators in the program yet");
    }
    let k = s.mixes.len();
    let max = s.mixes.iter().map(|m| m.total()).max().unwrap_or(1).max(1) as f64;
    let mut chart = ChartBuilder::on(&body)
        .margin(canvas.px(24.0))
        .margin_right(canvas.px(250.0))
        .x_label_area_size(canvas.px(44.0))
        .y_label_area_size(canvas.px(90.0))
        .build_cartesian_2d(-0.5f64..k as f64 - 0.5, 0f64..max * 1.12)
        .map_err(failed)?;
    let labels: Vec<String> = s
        .mixes
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let day = m.day.format("%b %-d").to_string();
            if i + 1 == k {
                format!("{day} (now)")
            } else {
                day
            }
        })
        .collect();
    let x_label = |x: &f64| {
        let i = x.round();
        if (x - i).abs() > 0.01 || i < 0.0 {
            return String::new();
        }
        labels.get(i as usize).cloned().unwrap_or_default()
    };
    let y_label = |y: &f64| style::count(y.round() as i64);
    style::house_mesh(&mut chart.configure_mesh(), canvas)
        .disable_x_mesh()
        .x_labels(k)
        .y_labels(6)
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .draw()
        .map_err(failed)?;
    let half = 0.36;
    // Bottom to top: New & Promising, Steady Earners, All-Stars.
    for t in (0..3).rev() {
        let colour = TIER_COLOURS[t];
        chart
            .draw_series(s.mixes.iter().enumerate().map(|(i, m)| {
                let below: i64 = m.counts[t + 1..].iter().sum();
                let x = i as f64;
                Rectangle::new(
                    [
                        (x - half, below as f64),
                        (x + half, (below + m.counts[t]) as f64),
                    ],
                    colour.filled(),
                )
            }))
            .map_err(failed)?;
    }
    let centre = Pos::new(HPos::Center, VPos::Center);
    let above = Pos::new(HPos::Center, VPos::Bottom);
    let min_height = canvas.px(24.0);
    for (i, m) in s.mixes.iter().enumerate() {
        let x = i as f64;
        let mut below = 0i64;
        for t in (0..3).rev() {
            let n = m.counts[t];
            let (_, y0) = chart.backend_coord(&(x, below as f64));
            let (cx, y1) = chart.backend_coord(&(x, (below + n) as f64));
            if n > 0 && y0 - y1 >= min_height {
                root.draw(&Text::new(
                    style::count(n),
                    (cx, (y0 + y1) / 2),
                    canvas.text(17.0).pos(centre),
                ))
                .map_err(failed)?;
            }
            below += n;
        }
        let (cx, top) = chart.backend_coord(&(x, m.total() as f64));
        root.draw(&Text::new(
            style::count(m.total()),
            (cx, top - canvas.px(6.0)),
            canvas.text(18.0).pos(above),
        ))
        .map_err(failed)?;
    }
    // The legend in the margin at the right, top tier first as in the stacks.
    let (right, top) = chart.backend_coord(&(k as f64 - 0.5, max * 1.12));
    let (x, box_size, line) = (right + canvas.px(28.0), canvas.px(18.0), canvas.px(30.0));
    for (t, tier) in Tier::ALL.iter().enumerate() {
        let y = top + canvas.px(10.0) + line * t as i32;
        root.draw(&Rectangle::new(
            [(x, y), (x + box_size, y + box_size)],
            TIER_COLOURS[t].filled(),
        ))
        .map_err(failed)?;
        root.draw(&Text::new(
            tier.display_name(),
            (x + box_size + canvas.px(10.0), y + box_size / 2),
            canvas.label().pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(failed)?;
    }
    Ok(())
}
