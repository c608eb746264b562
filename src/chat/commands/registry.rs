//! The one list of slash commands, each described completely: its subcommands, typed options,
//! choices, where suggestions come from, and who may use it. The text parser, `/help`, usage
//! errors, suggestions and what the adapters register (`export`) all read it.

pub use super::schema::{
    Audience, Choice, CommandSpec, OptionKind, OptionSpec, PERIOD_HELP, Source, SubcommandSpec,
};

pub const TIERS: &[Choice] = &[
    Choice {
        value: "all_stars",
        label: "All-Stars",
        aliases: &["1", "tier1"],
    },
    Choice {
        value: "steady_earners",
        label: "Steady Earners",
        aliases: &["2", "tier2"],
    },
    Choice {
        value: "new_and_promising",
        label: "New & Promising",
        aliases: &["3", "tier3", "newpromising"],
    },
];

const TIERS_OR_ALL: &[Choice] = &[
    TIERS[0],
    TIERS[1],
    TIERS[2],
    Choice {
        value: "all",
        label: "Everyone",
        aliases: &[],
    },
];

pub const METRICS: &[Choice] = &[
    Choice {
        value: "gmv",
        label: "GMV",
        aliases: &[],
    },
    Choice {
        value: "videos",
        label: "Videos",
        aliases: &[],
    },
    Choice {
        value: "views",
        label: "Views",
        aliases: &[],
    },
];

const IMPORT_KINDS: &[Choice] = &[
    Choice {
        value: "orders",
        label: "Orders",
        aliases: &[],
    },
    Choice {
        value: "creators",
        label: "Creators",
        aliases: &[],
    },
    Choice {
        value: "samples",
        label: "Samples",
        aliases: &[],
    },
    Choice {
        value: "videos",
        label: "Videos",
        aliases: &[],
    },
    Choice {
        value: "products",
        label: "Products",
        aliases: &[],
    },
];

const fn required(name: &'static str, description: &'static str, kind: OptionKind) -> OptionSpec {
    OptionSpec {
        name,
        description,
        kind,
        required: true,
        suggest: None,
    }
}

const fn optional(name: &'static str, description: &'static str, kind: OptionKind) -> OptionSpec {
    OptionSpec {
        name,
        description,
        kind,
        required: false,
        suggest: None,
    }
}

const fn suggest(mut o: OptionSpec, source: Source) -> OptionSpec {
    o.suggest = Some(source);
    o
}

const PERIOD: OptionSpec = suggest(
    optional("period", "the period (default: 30d)", OptionKind::Period),
    Source::Periods,
);
const HANDLE: OptionSpec = suggest(
    required("handle", "the creator's TikTok handle", OptionKind::Handle),
    Source::Handles,
);
const TIER: OptionSpec = suggest(
    required("tier", "the tier", OptionKind::Choice(TIERS)),
    Source::Tiers,
);
const METRIC: OptionSpec = suggest(
    required("metric", "the metric", OptionKind::Choice(METRICS)),
    Source::Metrics,
);
const COMPETITION: OptionSpec = suggest(
    required("name", "the competition's name", OptionKind::Text),
    Source::Competitions,
);
const SAMPLE: &[OptionSpec] = &[
    HANDLE,
    required("product", "the product id", OptionKind::Text),
    optional(
        "day",
        "the day, YYYY-MM-DD (default: today)",
        OptionKind::Date,
    ),
];

const CHARTS: &[SubcommandSpec] = &[
    SubcommandSpec {
        name: "gmv",
        description: "net GMV per day, its 7-day average and refunds",
        options: &[PERIOD],
    },
    SubcommandSpec {
        name: "leaderboard",
        description: "the top 10 creators by GMV, videos or views",
        options: &[
            OptionSpec {
                required: false,
                description: "what to rank by (default: gmv)",
                ..METRIC
            },
            PERIOD,
        ],
    },
    SubcommandSpec {
        name: "pareto",
        description: "the share of GMV made by the top creators",
        options: &[PERIOD],
    },
    SubcommandSpec {
        name: "tiers",
        description: "creators per tier now and at the end of each of the last 6 months",
        options: &[optional(
            "day",
            "the day, YYYY-MM-DD (default: today)",
            OptionKind::Date,
        )],
    },
    SubcommandSpec {
        name: "creator",
        description: "one creator's GMV and videos per day",
        options: &[HANDLE, PERIOD],
    },
    SubcommandSpec {
        name: "competition",
        description: "a competition's standings (default: the running one, else the last ended)",
        options: &[OptionSpec {
            required: false,
            ..COMPETITION
        }],
    },
];

const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "creator",
        description: "One creator's stats card",
        audience: Audience::Staff,
        slow: false,
        admin: false,
        subcommands: &[],
        options: &[
            suggest(
                required(
                    "creator",
                    "the creator: their TikTok handle or @mention",
                    OptionKind::Creator,
                ),
                Source::Handles,
            ),
            PERIOD,
        ],
    },
    CommandSpec {
        name: "kpi",
        description: "The program's KPIs",
        audience: Audience::Staff,
        slow: false,
        admin: false,
        subcommands: &[],
        options: &[PERIOD],
    },
    CommandSpec {
        name: "leaderboard",
        description: "The top creators by GMV, videos or views",
        audience: Audience::StaffAndCreators,
        slow: false,
        admin: false,
        subcommands: &[],
        options: &[
            OptionSpec {
                required: false,
                description: "what to rank by (default: gmv)",
                ..METRIC
            },
            PERIOD,
        ],
    },
    CommandSpec {
        name: "chart",
        description: "A chart: GMV per day, top creators, GMV share (Pareto), tiers, a creator, a competition",
        audience: Audience::Staff,
        slow: true,
        admin: false,
        subcommands: CHARTS,
        options: &[],
    },
    CommandSpec {
        name: "tier",
        description: "Who is in which tier; pin a creator's tier; why a creator is in theirs",
        audience: Audience::Staff,
        slow: true,
        admin: false,
        subcommands: &[
            SubcommandSpec {
                name: "list",
                description: "the tier mix, or the creators of one tier",
                options: &[OptionSpec {
                    required: false,
                    ..TIER
                }],
            },
            SubcommandSpec {
                name: "set",
                description: "pin a creator's tier",
                options: &[
                    HANDLE,
                    TIER,
                    required(
                        "reason",
                        "the reason: every tier change is kept with its reason",
                        OptionKind::Text,
                    ),
                ],
            },
            SubcommandSpec {
                name: "why",
                description: "why a creator is in their tier, and the way up",
                options: &[HANDLE],
            },
        ],
        options: &[],
    },
    CommandSpec {
        name: "sample",
        description: "Record a sample shipped to a creator, or delivered",
        audience: Audience::Staff,
        slow: false,
        admin: false,
        subcommands: &[
            SubcommandSpec {
                name: "shipped",
                description: "a sample shipped to a creator",
                options: SAMPLE,
            },
            SubcommandSpec {
                name: "delivered",
                description: "a shipped sample delivered",
                options: SAMPLE,
            },
        ],
        options: &[],
    },
    CommandSpec {
        name: "competition",
        description: "Run a competition in #competitions",
        audience: Audience::Staff,
        slow: false,
        admin: false,
        subcommands: &[
            SubcommandSpec {
                name: "start",
                description: "announce a competition",
                options: &[
                    required(
                        "name",
                        "the competition's name (quote it if it has spaces)",
                        OptionKind::Text,
                    ),
                    METRIC,
                    required(
                        "dates",
                        "the dates: YYYY-MM-DD..YYYY-MM-DD",
                        OptionKind::Dates,
                    ),
                    suggest(
                        optional(
                            "tier",
                            "the tier it is open to (default: all)",
                            OptionKind::Choice(TIERS_OR_ALL),
                        ),
                        Source::Tiers,
                    ),
                    optional("prize", "the prize", OptionKind::Text),
                ],
            },
            SubcommandSpec {
                name: "end",
                description: "end a competition and announce its winners",
                options: &[COMPETITION],
            },
            SubcommandSpec {
                name: "show",
                description: "the standings of one competition, or the open ones",
                options: &[OptionSpec {
                    required: false,
                    ..COMPETITION
                }],
            },
        ],
        options: &[],
    },
    CommandSpec {
        name: "report",
        description: "The weekly pulse, the monthly deep-dive or the quarterly review",
        audience: Audience::Staff,
        slow: true,
        admin: false,
        subcommands: &[
            SubcommandSpec {
                name: "weekly",
                description: "the weekly pulse, now",
                options: &[],
            },
            SubcommandSpec {
                name: "monthly",
                description: "last month's deep-dive",
                options: &[],
            },
            SubcommandSpec {
                name: "quarterly",
                description: "last quarter's business review",
                options: &[],
            },
        ],
        options: &[],
    },
    CommandSpec {
        name: "import",
        description: "Import a CSV file",
        audience: Audience::Staff,
        slow: true,
        admin: false,
        subcommands: &[],
        options: &[
            required(
                "kind",
                "what the file holds",
                OptionKind::Choice(IMPORT_KINDS),
            ),
            required("file", "the CSV file", OptionKind::Attachment),
        ],
    },
    CommandSpec {
        name: "mystats",
        description: "Your own numbers and what it takes to reach the next tier",
        audience: Audience::Creators,
        slow: false,
        admin: false,
        subcommands: &[],
        options: &[PERIOD],
    },
    CommandSpec {
        name: "link",
        description: "Link your chat account to your TikTok handle",
        audience: Audience::Unlinked,
        slow: false,
        admin: false,
        subcommands: &[],
        // No suggestions: a stranger must not browse the program's handles.
        options: &[required("handle", "your TikTok handle", OptionKind::Handle)],
    },
    CommandSpec {
        name: "checkin",
        description: "Answer the All-Stars weekly check-in",
        audience: Audience::Creators,
        slow: false,
        admin: false,
        subcommands: &[],
        options: &[required(
            "answer",
            "what you are filming and what you need",
            OptionKind::Text,
        )],
    },
    CommandSpec {
        name: "optout",
        description: "Stop all direct messages from the bot",
        audience: Audience::Creators,
        slow: false,
        admin: false,
        subcommands: &[],
        options: &[],
    },
    CommandSpec {
        name: "optin",
        description: "Get direct messages from the bot again",
        audience: Audience::Creators,
        slow: false,
        admin: false,
        subcommands: &[],
        options: &[],
    },
    CommandSpec {
        name: "sync",
        description: "The latest TikTok Shop syncs: what each read, and the next runs",
        audience: Audience::Staff,
        slow: false,
        admin: false,
        subcommands: &[],
        options: &[],
    },
    CommandSpec {
        name: "setup",
        description: "Create or adopt the program's channels and roles here, and check the bot's permissions",
        audience: Audience::Staff,
        slow: true,
        admin: true,
        subcommands: &[],
        options: &[],
    },
    CommandSpec {
        name: "help",
        description: "The commands you can use, or how to use one",
        audience: Audience::Everyone,
        slow: false,
        admin: false,
        subcommands: &[],
        options: &[suggest(
            optional("command", "a command to explain", OptionKind::Text),
            Source::Commands,
        )],
    },
];

/// Every command, in the order help lists them.
pub fn registry() -> &'static [CommandSpec] {
    COMMANDS
}

/// The command called `name` (with or without the slash, any case).
pub fn find(name: &str) -> Option<&'static CommandSpec> {
    let name = name.trim().trim_start_matches('/').to_lowercase();
    COMMANDS.iter().find(|c| c.name == name)
}
