//! What the bot checks before any sequence runs: every template present, parseable and using
//! only its message's variables (errors name file and line), and the `[sequences]` settings.

use crate::common;

use std::path::{Path, PathBuf};

use common::lifecycle::templates_dir;
use creator_bot::config::Config;
use creator_bot::domain::messages::Message;
use creator_bot::templates::{TemplateError, Templates, Vars};

/// A copy of the shipped templates to break.
fn copy_of_templates() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(templates_dir()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

fn file(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

fn load_err(dir: &Path) -> TemplateError {
    Templates::load(dir).expect_err("the templates should be refused")
}

#[test]
fn the_shipped_templates_load_and_render() {
    let templates = Templates::load(&templates_dir()).unwrap();
    let text = templates
        .render(
            Message::ActivationNudge1,
            &Vars::new()
                .set("first_name", "Ada")
                .set("product", "Glow Serum"),
        )
        .unwrap();
    assert_eq!(
        text,
        "Hi Ada, your Glow Serum should have arrived by now. How are you liking it?\n\n\
         Whenever you're ready to film, a quick first impression or a \"how I use it\" video \
         works really well. If you need anything from us (product details, video ideas), just ask!"
    );
    // Rendering checks the variables against the declaration, both ways.
    let missing = templates
        .render(
            Message::ActivationNudge1,
            &Vars::new().set("first_name", "Ada"),
        )
        .unwrap_err();
    assert_eq!(
        missing.to_string(),
        "the activation_nudge_1 message needs \"product\""
    );
    let extra = templates
        .render(
            Message::ActivationNudge1,
            &Vars::new()
                .set("first_name", "Ada")
                .set("product", "Glow Serum")
                .set("gmv", "$1.00"),
        )
        .unwrap_err();
    assert_eq!(
        extra.to_string(),
        "\"gmv\" is not a variable of the activation_nudge_1 message"
    );
}

#[test]
fn a_syntax_error_names_file_and_line() {
    let dir = copy_of_templates();
    let path = file(dir.path(), "activation_nudge_1.txt");
    std::fs::write(&path, "Hi {{ first_name }},\n\nYour {{ product }\n").unwrap();
    assert_eq!(
        load_err(dir.path()).problems,
        vec![format!(
            "{}:3: syntax error: unexpected `}}`, expected end of variable block",
            path.display()
        )]
    );
}

#[test]
fn an_unknown_placeholder_names_file_line_and_the_known_ones() {
    let dir = copy_of_templates();
    let path = file(dir.path(), "activation_nudge_1.txt");
    std::fs::write(
        &path,
        "Hi {{ first_name }},\n\n{% if true %}Your {{ prodct }} is here.{% endif %}\n{{ gmv }}\n",
    )
    .unwrap();
    let err = load_err(dir.path());
    let shown = path.display();
    assert_eq!(
        err.problems,
        vec![
            format!("{shown}:3: unknown placeholder {{{{ prodct }}}} (known: first_name, product)"),
            format!("{shown}:4: unknown placeholder {{{{ gmv }}}} (known: first_name, product)"),
        ]
    );
    // Shown to the operator one problem per line.
    assert_eq!(err.to_string(), err.problems.join("\n"));
}

#[test]
fn a_missing_file_is_named_and_every_problem_is_reported() {
    let dir = copy_of_templates();
    std::fs::remove_file(file(dir.path(), "milestone_viral.txt")).unwrap();
    std::fs::write(
        file(dir.path(), "first_post_general.txt"),
        "Thanks {{ first_name }}!\n{{ new_product }}\n",
    )
    .unwrap();
    let problems = load_err(dir.path()).problems;
    assert_eq!(
        problems,
        vec![
            format!(
                "{}: missing template file for the milestone_viral message",
                file(dir.path(), "milestone_viral.txt").display()
            ),
            format!(
                "{}:2: unknown placeholder {{{{ new_product }}}} (known: first_name, views, product)",
                file(dir.path(), "first_post_general.txt").display()
            ),
        ]
    );
}

#[test]
fn template_globals_and_loop_variables_are_not_placeholders() {
    let dir = copy_of_templates();
    std::fs::write(
        file(dir.path(), "onboarding_catalogue.txt"),
        "{{ first_name }} {{ program }}\n{% for p in products %}{{ loop.index }}. {{ p }}{% endfor %}\n{{ range(2) | length }}\n",
    )
    .unwrap();
    let templates = Templates::load(dir.path()).unwrap();
    let text = templates
        .render(
            Message::OnboardingCatalogue,
            &Vars::new()
                .set("first_name", "Ada")
                .set("program", "Glow")
                .set("products", vec!["Serum", "Cream"]),
        )
        .unwrap();
    // A block tag eats the line break after it (trim_blocks), as in the shipped templates.
    assert_eq!(text, "Ada Glow\n1. Serum2. Cream2");
}

fn config_error(overrides: &[(&str, &str)]) -> String {
    Config::load_with_overrides(None, overrides)
        .expect_err("the config should be refused")
        .to_string()
}

#[test]
fn sequence_settings_are_validated_with_their_key() {
    let defaults = Config::default();
    assert_eq!(defaults.lifecycle.templates_dir, PathBuf::from("templates"));
    assert_eq!(defaults.sequences.onboarding_content_guide_day, 2);
    assert_eq!(defaults.sequences.milestone_commission_cents, 10_000);
    assert_eq!(
        config_error(&[("CREATOR_BOT__SEQUENCES__ONBOARDING_CATALOGUE_DAY", "2")]),
        "configuration error: sequences.onboarding_catalogue_day: must be later than \
         sequences.onboarding_content_guide_day (2), got 2 (from the environment)"
    );
    assert_eq!(
        config_error(&[("CREATOR_BOT__SEQUENCES__ACTIVATION_NUDGE_DAYS", "0")]),
        "configuration error: sequences.activation_nudge_days: must be at least 1 day \
         (from the environment)"
    );
    assert_eq!(
        config_error(&[("CREATOR_BOT__SEQUENCES__FIRST_POST_HIGH_MIN_VIEWS", "5000")]),
        "configuration error: sequences.first_post_high_min_views: must be greater than \
         sequences.first_post_medium_min_views (5000), got 5000 (from the environment)"
    );
    assert_eq!(
        config_error(&[("CREATOR_BOT__SEQUENCES__REACTIVATION_DORMANT_DAYS", "45")]),
        "configuration error: sequences.reactivation_dormant_days: must be later than \
         sequences.reactivation_second_checkin_days (45), got 45 (from the environment)"
    );
    assert_eq!(
        config_error(&[("CREATOR_BOT__SEQUENCES__MILESTONE_COMMISSION_CENTS", "0")]),
        "configuration error: sequences.milestone_commission_cents: must be greater than 0, \
         got 0 (from the environment)"
    );
    assert_eq!(
        config_error(&[("CREATOR_BOT__SEQUENCES__NUDGE_DAYS", "3")]),
        "configuration error: sequences.nudge_days: unknown key \"nudge_days\" (from the environment)"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bot.toml");
    std::fs::write(
        &path,
        "[lifecycle]\ntemplates_dir = \"/srv/glow/templates\"\n\n[sequences]\ncatch_up_days = 3\n",
    )
    .unwrap();
    let config = Config::load_with_overrides(Some(&path), &[]).unwrap();
    assert_eq!(
        config.lifecycle.templates_dir,
        PathBuf::from("/srv/glow/templates")
    );
    assert_eq!(config.sequences.catch_up_days, 3);
}
