//! The `creator-bot` command line.

fn main() -> std::process::ExitCode {
    creator_bot::cli::main()
}
