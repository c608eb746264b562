//! What each surface shows for the same reply: users' text escaped for the platform's markup,
//! and every limit kept by cutting with "…and N more".

use serde_json::json;

use super::*;
use crate::chat::commands::reply::{Reply, Rich, Table};

fn rows(n: usize) -> Table {
    Table {
        header: Some(vec!["#".into(), "Creator".into()]),
        rows: (1..=n)
            .map(|i| vec![i.to_string(), format!("@creator_{i:04}")])
            .collect(),
        right_aligned: vec![0],
    }
}

#[test]
fn users_text_is_escaped_for_each_platform_and_ours_is_not() {
    let reply = Reply::done(
        Rich::from("Linked: your account is now ")
            .and_user("@glow_queen *best* <@123> @everyone & co")
            .plain("."),
    );
    let d = discord(&reply);
    assert_eq!(d.content, "");
    assert_eq!(
        d.embeds[0].description.as_deref(),
        Some(
            "Linked: your account is now @glow\\_queen \\*best\\* \\<@123\\> @\u{200b}everyone & co."
        )
    );
    // Every reply is one embed, coloured by its outcome.
    assert_eq!(d.embeds[0].colour, Some(0x009E73));
    assert_eq!(
        discord(&Reply::refused("No.")).embeds[0].colour,
        Some(0xE69F00)
    );
    assert_eq!(
        slack(&reply)["blocks"][0]["text"]["text"],
        "Linked: your account is now @glow_queen *best* &lt;@123&gt; @everyone &amp; co."
    );
    assert_eq!(
        console(&reply),
        "Linked: your account is now @glow_queen *best* <@123> @everyone & co."
    );
    assert_eq!(
        escape_discord("a|b~c`d#e>f[g]"),
        "a\\|b\\~c\\`d\\#e\\>f\\[g\\]"
    );
    assert_eq!(
        escape_slack("<!channel> & <x>"),
        "&lt;!channel&gt; &amp; &lt;x&gt;"
    );
}

#[test]
fn titles_fields_tables_images_and_footers_on_each_surface() {
    let reply = Reply::titled(Rich::fill("@{}, November", &["ava_b"]))
        .fields([
            ("GMV".to_string(), Rich::from("$180.00")),
            ("Tier reason".to_string(), Rich::user("pinned: *vip*")),
        ])
        .table(rows(2))
        .image(vec![1, 2, 3], "pareto.png", "GMV share by creator")
        .footer("Numbers to yesterday");
    let d = discord(&reply);
    assert_eq!(d.content, "");
    assert_eq!(d.embeds.len(), 1);
    let e = &d.embeds[0];
    assert_eq!(e.title.as_deref(), Some("@ava\\_b, November"));
    assert_eq!(
        e.fields
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_str()))
            .collect::<Vec<_>>(),
        [("GMV", "$180.00"), ("Tier reason", "pinned: \\*vip\\*")]
    );
    assert_eq!(
        e.description.as_deref(),
        Some("```\n#  Creator\n1  @creator_0001\n2  @creator_0002\n```")
    );
    assert_eq!(e.footer.as_deref(), Some("Numbers to yesterday"));
    assert_eq!(e.image.as_deref(), Some("attachment://pareto.png"));
    assert_eq!(
        d.files,
        [DiscordFile {
            file_name: "pareto.png".into(),
            bytes: vec![1, 2, 3]
        }]
    );
    assert!(d.ephemeral);

    let s = slack(&reply);
    assert_eq!(s["response_type"], "ephemeral");
    assert_eq!(s["text"], "@ava_b, November");
    assert_eq!(
        s["blocks"],
        json!([
            {"type": "header", "text": {"type": "plain_text", "text": "@ava_b, November", "emoji": true}},
            {"type": "section", "fields": [
                {"type": "mrkdwn", "text": "*GMV*\n$180.00"},
                {"type": "mrkdwn", "text": "*Tier reason*\npinned: *vip*"}
            ]},
            {"type": "section", "text": {"type": "mrkdwn",
                "text": "```\n#  Creator\n1  @creator_0001\n2  @creator_0002\n```"}},
            {"type": "image", "alt_text": "GMV share by creator",
                "slack_file": {"url": "attachment://pareto.png"}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "Numbers to yesterday"}]}
        ])
    );

    assert_eq!(
        console(&reply),
        "@ava_b, November\nGMV                $180.00\nTier reason  pinned: *vip*\n\
         #  Creator\n1  @creator_0001\n2  @creator_0002\n\
         [image pareto.png: GMV share by creator]\nNumbers to yesterday"
    );
}

#[test]
fn discord_cuts_content_tables_and_fields() {
    // 600 lines of 9 characters: 5,999 characters, cut to whole lines within the embed
    // description's 4,096.
    let long: Vec<String> = (0..600).map(|i| format!("line {i:04}")).collect();
    let d = discord(&Reply::done(long.join("\n")));
    let text = d.embeds[0].description.clone().unwrap_or_default();
    assert!(text.chars().count() <= 4_096);
    assert!(text.starts_with("line 0000\nline 0001\n"));
    assert!(
        text.ends_with("line 0406\n…and 193 more lines"),
        "{}",
        &text[3900..]
    );

    // A table in an embed is cut by rows and keeps its code fences.
    let d = discord(&Reply::titled("Leaderboard").table(rows(400)));
    let description = d.embeds[0].description.clone().unwrap();
    assert!(description.chars().count() <= 4_096);
    assert!(description.starts_with("```\n  #  Creator\n  1  @creator_0001\n"));
    assert!(
        description.ends_with("…and 187 more rows\n```"),
        "{description}"
    );

    // 30 fields: 24 shown, then one saying how many more; a long value is cut at 1,024.
    let fields = (1..=30).map(|i| {
        let value = if i == 1 {
            "x".repeat(1_500)
        } else {
            i.to_string()
        };
        (format!("Field {i}"), Rich::from(value))
    });
    let d = discord(&Reply::titled("KPIs").fields(fields));
    let f = &d.embeds[0].fields;
    assert_eq!(f.len(), 25);
    assert_eq!(f[23].name, "Field 24");
    assert_eq!(f[24].value, "…and 6 more fields");
    assert!(f[0].value.chars().count() <= 1_024);
    assert!(
        f[0].value.ends_with("x …and 502 more characters"),
        "{}",
        f[0].value
    );
}

#[test]
fn slack_cuts_sections_and_blocks() {
    let long: Vec<String> = (0..400).map(|i| format!("line {i:04}")).collect();
    let s = slack(&Reply::done(long.join("\n")));
    let text = s["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(text.chars().count() <= 3_000);
    assert!(
        text.ends_with("line 0297\n…and 102 more lines"),
        "{}",
        &text[2900..]
    );

    let s = slack(&Reply::done("Table").table(rows(400)));
    let table = s["blocks"][1]["text"]["text"].as_str().unwrap();
    assert!(table.chars().count() <= 3_000);
    assert!(table.ends_with("…and 245 more rows\n```"), "{table}");

    // 60 text blocks: 49 shown, then a context block saying how many more.
    let mut reply = Reply::titled("Many");
    for i in 0..59 {
        reply = reply.line(format!("part {i}"));
    }
    let s = slack(&reply);
    let blocks = s["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 50);
    assert_eq!(blocks[48]["text"]["text"], "part 47");
    assert_eq!(blocks[49]["elements"][0]["text"], "…and 11 more blocks");

    // Fields go ten to a section.
    let fields = (1..=23).map(|i| (format!("F{i}"), Rich::from(i.to_string())));
    let s = slack(&Reply::titled("KPIs").fields(fields));
    let sizes: Vec<usize> = s["blocks"].as_array().unwrap()[1..]
        .iter()
        .map(|b| b["fields"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [10, 10, 3]);
}

#[test]
fn outbox_texts_keep_their_code_and_show_names_as_written() {
    use super::discord::escape_discord_keeping_code as shown;
    assert_eq!(
        shown("Top: @_mia_ then `creator-bot outbox retry` #1"),
        "Top: @\\_mia\\_ then `creator-bot outbox retry` \\#1"
    );
    assert_eq!(
        shown("Top 10\n```\n #  Creator\n 1  @_mia_\n```\n*done*"),
        "Top 10\n```\n #  Creator\n 1  @_mia_\n```\n\\*done\\*"
    );
    assert_eq!(shown("a ` b_c"), "a \\` b\\_c");
    assert_eq!(shown("@everyone `x`"), "@\u{200b}everyone `x`");
}

#[test]
fn a_long_text_is_cut_between_lines_and_its_code_blocks_stay_blocks() {
    use super::discord::split_message;
    assert_eq!(split_message("short", 2_000), vec!["short"]);
    assert_eq!(split_message("", 2_000), vec![""]);
    // Limit 20: 16 characters fit beside a closing fence.
    assert_eq!(
        split_message("Title line\nsecond line\n3rd", 20),
        vec!["Title line", "second line\n3rd"]
    );
    assert_eq!(
        split_message("KPIs\n```\nGMV  $1\nOrders 2\nAOV  $3\n```\nEnd", 20),
        vec![
            "KPIs\n```\nGMV  $1\n```",
            "```\nOrders 2\n```",
            "```\nAOV  $3\n```",
            "End"
        ]
    );
    // A line longer than a message is cut inside.
    assert_eq!(
        split_message(&"x".repeat(40), 20),
        vec!["x".repeat(16), "x".repeat(16), "x".repeat(8)]
    );
    // Every part fits.
    let long: String = (0..500).map(|n| format!("line {n}\n")).collect();
    let parts = split_message(&format!("```\n{long}```"), 2_000);
    assert!(parts.iter().all(|p| p.chars().count() <= 2_000));
    assert!(
        parts
            .iter()
            .all(|p| p.starts_with("```") && p.ends_with("```"))
    );
    assert_eq!(parts.concat().matches("line ").count(), 500);
}
