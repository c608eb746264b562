//! Configuration: the example file loads, environment overrides apply, and every mistake is
//! reported with the key (and file) it is about.

use std::io::Write;

use chrono::{DateTime, NaiveTime, Utc};
use creator_bot::config::Config;
use creator_bot::domain::cadence::Cadence;
use creator_bot::domain::daytime::Daytime;

fn file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

fn error_of(text: &str, overrides: &[(&str, &str)]) -> String {
    let f = file(text);
    Config::load_with_overrides(Some(f.path()), overrides)
        .unwrap_err()
        .to_string()
        .replace(&f.path().display().to_string(), "FILE")
}

#[test]
fn the_example_config_loads() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/creator-bot.example.toml");
    let config = Config::load_with_overrides(Some(&path), &[]).unwrap();
    assert_eq!(config.default_program, "glow");
    assert_eq!(config.programs[0].timezone, chrono_tz::America::New_York);
    assert_eq!(config.tiers.all_stars_min_gmv_cents, 300_000);
    assert_eq!(config.tiers.steady_min_videos, 4);
}

#[test]
fn no_file_means_defaults_and_one_default_program() {
    let config = Config::load_with_overrides(None, &[]).unwrap();
    assert_eq!(config, Config::default());
    let programs = config.programs();
    assert_eq!(programs.len(), 1);
    assert_eq!(programs[0].slug, "default");
    assert_eq!(programs[0].timezone, chrono_tz::UTC);
}

#[test]
fn environment_overrides_win_over_the_file() {
    let f = file("[tiers]\nsteady_min_gmv_cents = 25000\nwindow_days = 28\n");
    let config = Config::load_with_overrides(
        Some(f.path()),
        &[("CREATOR_BOT__TIERS__STEADY_MIN_GMV_CENTS", "20000")],
    )
    .unwrap();
    assert_eq!(config.tiers.steady_min_gmv_cents, 20_000);
    assert_eq!(config.tiers.window_days, 28);
}

#[test]
fn a_missing_file_is_named() {
    let err =
        Config::load_with_overrides(Some(std::path::Path::new("/nope/bot.toml")), &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration error: config file /nope/bot.toml does not exist"
    );
}

#[test]
fn unknown_keys_are_named() {
    let err = error_of("[tiers]\nall_star_min_gmv_cents = 5\n", &[]);
    assert_eq!(
        err,
        "configuration error: tiers.all_star_min_gmv_cents: unknown key \"all_star_min_gmv_cents\" (in FILE)"
    );
}

#[test]
fn secrets_in_the_file_are_refused() {
    let err = error_of("[database]\nurl = \"postgres://u:hunter2@db/x\"\n", &[]);
    assert_eq!(
        err,
        "configuration error: database.url: unknown key \"url\": secrets are read only from the environment (e.g. DATABASE_URL) (in FILE)"
    );
    assert!(!err.contains("hunter2"));
}

#[test]
fn wrong_types_name_the_key() {
    let err = error_of("[tiers]\nwindow_days = \"thirty\"\n", &[]);
    assert_eq!(
        err,
        "configuration error: tiers.window_days: invalid type: found string \"thirty\", expected u32 (in FILE)"
    );
}

#[test]
fn toml_syntax_errors_give_line_and_column() {
    let err = error_of("default_program = \"glow\"\n[tiers\nwindow_days = 3\n", &[]);
    assert!(err.starts_with("configuration error: "), "{err}");
    assert!(err.contains("line 2, column"), "{err}");
}

#[test]
fn bad_values_name_the_key_and_the_value() {
    let cases: &[(&str, &str)] = &[
        (
            "[[programs]]\nslug = \"glow\"\nname = \"Glow\"\ntimezone = \"Mars/Olympus\"\n",
            "configuration error: programs[0].timezone: \"Mars/Olympus\" is not an IANA time zone (e.g. \"America/New_York\") (in FILE)",
        ),
        (
            "[[programs]]\nslug = \"glow\"\nname = \"Glow\"\ncurrency = \"usd\"\n",
            "configuration error: programs[0].currency: \"usd\" is not a three-letter ISO currency code (e.g. \"USD\") (in FILE)",
        ),
        (
            "[[programs]]\nslug = \"Glow Skin\"\nname = \"Glow\"\n",
            "configuration error: programs[0].slug: \"Glow Skin\" must be lower-case letters, digits, '-' or '_' (e.g. \"glow-skin\") (in FILE)",
        ),
        (
            "default_program = \"other\"\n[[programs]]\nslug = \"glow\"\nname = \"Glow\"\n",
            "configuration error: default_program: \"other\" is not one of the configured programs (glow) (in FILE)",
        ),
        (
            "[tiers]\nall_stars_top_percent = 150\n",
            "configuration error: tiers.all_stars_top_percent: must be between 0 and 100, got 150 (in FILE)",
        ),
        (
            "[tiers]\nsteady_min_gmv_cents = 300000\n",
            "configuration error: tiers.steady_min_gmv_cents: must be below tiers.all_stars_min_gmv_cents (300000), got 300000 (in FILE)",
        ),
        (
            "[tiers]\nreview_day_of_month = 31\n",
            "configuration error: tiers.review_day_of_month: must be between 1 and 28 so every month has it, got 31 (in FILE)",
        ),
        (
            "[tiers]\nviral_min_gmv_cents = 0\n",
            "configuration error: tiers.viral_min_gmv_cents: must be greater than 0, got 0 (in FILE)",
        ),
        (
            "[lifecycle]\ndaytime_start = \"9am\"\n",
            "configuration error: lifecycle.daytime_start: \"9am\" is not a time in HH:MM form (e.g. \"09:00\") (in FILE)",
        ),
        (
            "[lifecycle]\ndaytime_start = \"21:00\"\n",
            "configuration error: lifecycle.daytime_start: \"21:00\" must be earlier than lifecycle.daytime_end (\"20:00\") (in FILE)",
        ),
        (
            "[dispatch]\nbackoff_cap_seconds = 10\n",
            "configuration error: dispatch.backoff_cap_seconds: must be at least dispatch.backoff_base_seconds (30), got 10 (in FILE)",
        ),
        (
            "[dispatch]\nworkers = 0\n",
            "configuration error: dispatch.workers: must be at least 1 (in FILE)",
        ),
        (
            "[cadences]\ntiers = \"0 6 * *\"\n",
            "configuration error: cadences.tiers: \"0 6 * *\" is not a cron expression of five fields (minute hour day month weekday, e.g. \"0 10 * * Mon\"): it has 4 fields (in FILE)",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(&error_of(text, &[]), expected, "for config:\n{text}");
    }
}

#[test]
fn bad_environment_overrides_are_reported_too() {
    let err = error_of("", &[("CREATOR_BOT__TIERS__WINDOW_DAYS", "0")]);
    assert_eq!(
        err,
        "configuration error: tiers.window_days: must be between 1 and 366, got 0 (from the environment)"
    );
}

#[test]
fn times_of_day_time_zones_and_cadences_load_as_typed_values() {
    let f = file(
        "[[programs]]\nslug = \"glow\"\nname = \"Glow\"\ntimezone = \"Europe/London\"\n\
         [lifecycle]\ndaytime_start = \" 08:30 \"\n\
         [cadences]\ntiers = \"0 7 * * *\"\n",
    );
    let config = Config::load_with_overrides(
        Some(f.path()),
        &[
            ("CREATOR_BOT__DEFAULT_PROGRAM", "glow"),
            ("CREATOR_BOT__LIFECYCLE__DAYTIME_END", "21:15"),
            ("CREATOR_BOT__CADENCES__WEEKLY_PULSE", "30 8 * * Tue"),
        ],
    )
    .unwrap();
    assert_eq!(config.programs[0].timezone, chrono_tz::Europe::London);
    assert_eq!(
        config.lifecycle.daytime(),
        Daytime {
            start: NaiveTime::from_hms_opt(8, 30, 0).unwrap(),
            end: NaiveTime::from_hms_opt(21, 15, 0).unwrap(),
        }
    );
    assert_eq!(config.cadences.tiers, Cadence::parse("0 7 * * *").unwrap());
    assert_eq!(config.cadences.weekly_pulse.to_string(), "30 8 * * Tue");
    // 2026-06-02 is a Tuesday; 08:30 in London is 07:30 UTC.
    let now: DateTime<Utc> = "2026-06-02T09:00:00Z".parse().unwrap();
    assert_eq!(
        config
            .cadences
            .weekly_pulse
            .latest(now, config.programs[0].timezone),
        Some("2026-06-02T07:30:00Z".parse().unwrap())
    );
}

#[test]
fn bad_typed_values_from_the_environment_say_so() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "CREATOR_BOT__LIFECYCLE__DAYTIME_END",
            "8pm",
            "configuration error: lifecycle.daytime_end: \"8pm\" is not a time in HH:MM form (e.g. \"09:00\") (from the environment)",
        ),
        (
            "CREATOR_BOT__CADENCES__WEEKLY_PULSE",
            "every monday",
            "configuration error: cadences.weekly_pulse: \"every monday\" is not a cron expression of five fields (minute hour day month weekday, e.g. \"0 10 * * Mon\"): it has 2 fields (from the environment)",
        ),
        (
            "CREATOR_BOT__LIFECYCLE__DAYTIME_START",
            "20:30",
            "configuration error: lifecycle.daytime_start: \"20:30\" must be earlier than lifecycle.daytime_end (\"20:00\") (from the environment)",
        ),
    ];
    for (var, value, expected) in cases {
        assert_eq!(
            &error_of("", &[(var, value)]),
            expected,
            "for {var}={value}"
        );
    }
}

#[test]
fn a_bad_time_zone_in_a_later_program_names_its_index() {
    let err = error_of(
        "[[programs]]\nslug = \"glow\"\nname = \"Glow\"\n\
         [[programs]]\nslug = \"fit\"\nname = \"Fit\"\ntimezone = \"Europe/Lodnon\"\n",
        &[],
    );
    assert_eq!(
        err,
        "configuration error: programs[1].timezone: \"Europe/Lodnon\" is not an IANA time zone (e.g. \"America/New_York\") (in FILE)"
    );
}
