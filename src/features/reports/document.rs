//! A report laid out for people, independent of where it is shown: a title, sections (headings,
//! lines, lists of names, tables) and the charts it carries. Rendered here as Markdown (the
//! export) and as chat text (the #staff post); `chat::commands::reports` renders it as a reply.

use crate::charts::{ChartMetric, ChartSpec};

/// A report's layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    pub sections: Vec<Section>,
    pub charts: Vec<ChartSpec>,
    pub footer: Option<String>,
}

/// One part of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Section {
    Heading(String),
    /// A line of our own text.
    Text(String),
    /// `label: a, b, c` (or `label: none`); the names are creators' handles or other user data.
    Names {
        label: String,
        names: Vec<String>,
    },
    Table(Grid),
}

/// Rows of cells under a header; numeric columns are right-aligned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grid {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub right_aligned: Vec<usize>,
}

impl Grid {
    /// A grid whose first column is a label and every other column a number.
    pub fn numeric(header: &[&str], rows: Vec<Vec<String>>) -> Grid {
        Grid {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows,
            right_aligned: (1..header.len()).collect(),
        }
    }

    /// The grid as monospace lines, columns two spaces apart.
    pub fn lines(&self) -> Vec<String> {
        let all: Vec<&Vec<String>> = std::iter::once(&self.header)
            .chain(self.rows.iter())
            .collect();
        let columns = all.iter().map(|r| r.len()).max().unwrap_or(0);
        let mut widths = vec![0; columns];
        for row in &all {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        all.into_iter()
            .map(|row| {
                let cells: Vec<String> = row
                    .iter()
                    .enumerate()
                    .map(|(i, cell)| {
                        let pad = " ".repeat(widths[i] - cell.chars().count());
                        if self.right_aligned.contains(&i) {
                            format!("{pad}{cell}")
                        } else {
                            format!("{cell}{pad}")
                        }
                    })
                    .collect();
                cells.join("  ").trim_end().to_string()
            })
            .collect()
    }
}

/// What a chart shows, as a caption.
pub fn chart_title(spec: &ChartSpec) -> String {
    match spec {
        ChartSpec::Gmv { .. } => "GMV per day".into(),
        ChartSpec::Leaderboard { metric, .. } => match metric {
            ChartMetric::Gmv => "Top creators by GMV".into(),
            ChartMetric::Videos => "Top creators by videos".into(),
            ChartMetric::Views => "Top creators by views".into(),
        },
        ChartSpec::Pareto { .. } => "Share of GMV by share of creators (Pareto)".into(),
        ChartSpec::Tiers { .. } => "Tier mix".into(),
        ChartSpec::Creator { .. } => "Creator GMV and videos".into(),
        ChartSpec::Competition { .. } => "Competition standings".into(),
    }
}

/// The file names of a report's charts beside `<stem>.md`: `<stem>-<kind>.png`, numbered when a
/// kind comes twice.
pub fn chart_files(stem: &str, charts: &[ChartSpec]) -> Vec<String> {
    charts
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let slug = spec.kind();
            let same = charts[..i].iter().filter(|c| c.kind() == slug).count();
            if same == 0 {
                format!("{stem}-{slug}.png")
            } else {
                format!("{stem}-{slug}-{}.png", same + 1)
            }
        })
        .collect()
}

/// Markdown's special characters in user text, escaped.
fn escape_md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn names_text(names: &[String], escape: fn(&str) -> String) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names
            .iter()
            .map(|n| escape(n))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// How each chart appears in the Markdown: its file beside the document, or why it is missing.
pub type ChartLink = Result<String, String>;

/// The document as Markdown; `charts` has one entry per chart of the document, in order.
pub fn markdown(doc: &Document, charts: &[ChartLink]) -> String {
    let mut out = format!("# {}\n", escape_md(&doc.title));
    for section in &doc.sections {
        out.push('\n');
        match section {
            Section::Heading(h) => out.push_str(&format!("## {}\n", escape_md(h))),
            Section::Text(t) => out.push_str(&format!("{}\n", escape_md(t))),
            Section::Names { label, names } => out.push_str(&format!(
                "**{}:** {}\n",
                escape_md(label),
                names_text(names, escape_md)
            )),
            Section::Table(grid) => {
                let row = |cells: &[String]| {
                    let cells: Vec<String> = cells.iter().map(|c| escape_md(c)).collect();
                    format!("| {} |\n", cells.join(" | "))
                };
                out.push_str(&row(&grid.header));
                let rule: Vec<&str> = (0..grid.header.len())
                    .map(|i| {
                        if grid.right_aligned.contains(&i) {
                            "---:"
                        } else {
                            "---"
                        }
                    })
                    .collect();
                out.push_str(&format!("| {} |\n", rule.join(" | ")));
                for r in &grid.rows {
                    out.push_str(&row(r));
                }
            }
        }
    }
    if !doc.charts.is_empty() {
        out.push_str("\n## Charts\n");
        for (spec, link) in doc.charts.iter().zip(charts) {
            let title = chart_title(spec);
            out.push('\n');
            match link {
                Ok(file) => out.push_str(&format!("![{}]({file})\n", escape_md(&title))),
                Err(why) => out.push_str(&format!("_{}: {}_\n", escape_md(&title), why)),
            }
        }
    }
    if let Some(footer) = &doc.footer {
        out.push_str(&format!("\n_{}_\n", escape_md(footer)));
    }
    out
}

/// The document as a chat post's text: tables in code blocks (monospace on Discord and Slack),
/// the charts left to the sender, which attaches them.
pub fn post_text(doc: &Document) -> String {
    let mut lines = vec![doc.title.clone()];
    for section in &doc.sections {
        match section {
            Section::Heading(h) => {
                lines.push(String::new());
                lines.push(h.clone());
            }
            Section::Text(t) => lines.push(t.clone()),
            Section::Names { label, names } => {
                lines.push(format!("{label}: {}", names_text(names, str::to_string)))
            }
            Section::Table(grid) => {
                lines.push("```".into());
                lines.extend(grid.lines());
                lines.push("```".into());
            }
        }
    }
    if let Some(footer) = &doc.footer {
        lines.push(String::new());
        lines.push(footer.clone());
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn markdown_escapes_names_and_links_charts() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let doc = Document {
            title: "Report".into(),
            sections: vec![
                Section::Names {
                    label: "Promoted".into(),
                    names: vec!["@ana_b".into()],
                },
                Section::Table(Grid::numeric(
                    &["KPI", "Now"],
                    vec![vec!["GMV".into(), "$1.00".into()]],
                )),
            ],
            charts: vec![ChartSpec::Tiers { at: day }, ChartSpec::Tiers { at: day }],
            footer: None,
        };
        assert_eq!(
            chart_files("monthly-2026-12-01", &doc.charts),
            vec![
                "monthly-2026-12-01-tiers.png",
                "monthly-2026-12-01-tiers-2.png"
            ]
        );
        assert_eq!(
            markdown(&doc, &[Ok("a.png".into()), Err("not drawn".into())]),
            "# Report\n\n**Promoted:** @ana\\_b\n\n| KPI | Now |\n| --- | ---: |\n| GMV | $1.00 |\n\n## Charts\n\n![Tier mix](a.png)\n\n_Tier mix: not drawn_\n"
        );
        assert_eq!(
            post_text(&doc),
            "Report\nPromoted: @ana_b\n```\nKPI    Now\nGMV  $1.00\n```"
        );
    }
}
