//! Stopping the service mid-dispatch: SIGTERM lets the sends in flight finish and exits 0, kill -9
//! loses nothing; a restarted process sends the rest, each message once (a message in flight at a
//! kill -9 may go out twice: delivery is at least once).

use std::collections::{BTreeMap, BTreeSet};

use sqlx::PgPool;

use super::bot::{Bot, Knobs, config};
use super::outbox::{self, repeated};
use crate::common;
use crate::common::cli::database_url;

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn sigterm_mid_dispatch_exits_0_and_a_restart_sends_the_rest_once(pool: PgPool) {
    let program = common::program(&pool).await;
    outbox::queue(&pool, program.id, 200).await;
    let dir = tempfile::tempdir().unwrap();
    let knobs = Knobs {
        console_per_second: 40,
        ..Knobs::default()
    };
    let config = config(dir.path(), &knobs);
    let url = database_url(&pool);

    let mut first = Bot::start(&config, &url, &[]);
    first.wait_sent(30).await;
    first.terminate();
    assert_eq!(first.exit_code().await, Some(0), "{}", first.logs());
    assert!(
        !first.logs().contains("grace period ran out"),
        "{}",
        first.logs()
    );
    let sent_first = first.sent();
    assert!(
        sent_first.len() < 200,
        "it sent everything before the signal"
    );
    // Everything it sent is recorded; nothing it claimed is left held.
    assert_eq!(outbox::sent(&pool).await, sent_first.len() as i64);
    assert_eq!(
        outbox::unsent(&pool).await,
        vec![("pending".to_string(), 200 - sent_first.len() as i64)]
    );

    let mut second = Bot::start(&config, &url, &[]);
    outbox::wait_sent(&pool, 200).await;
    second.terminate();
    assert_eq!(second.exit_code().await, Some(0), "{}", second.logs());
    let mut everything = sent_first;
    everything.extend(second.sent());
    assert_eq!(repeated(&everything), vec![]);
    everything.sort();
    assert_eq!(everything, outbox::all(200));
    assert_eq!(outbox::unsent(&pool).await, vec![]);
}

/// With no grace at all the workers are stopped with their batches half sent: the rest of each
/// batch is handed back, so a restarted process sends it now, not after the (long) lease.
#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn claims_cut_short_are_handed_back_at_once(pool: PgPool) {
    let program = common::program(&pool).await;
    outbox::queue(&pool, program.id, 100).await;
    let dir = tempfile::tempdir().unwrap();
    let knobs = Knobs {
        console_per_second: 20,
        // Far beyond the test's patience: only handed-back claims can be sent again in time.
        lease_seconds: 3600,
        shutdown_grace_seconds: 0,
        ..Knobs::default()
    };
    let config = config(dir.path(), &knobs);
    let url = database_url(&pool);
    let mut first = Bot::start(&config, &url, &[]);
    first.wait_sent(10).await;
    first.terminate();
    assert_eq!(first.exit_code().await, Some(0), "{}", first.logs());
    assert!(
        first.logs().contains("handed back unsent claims"),
        "{}",
        first.logs()
    );
    let unsent = outbox::unsent(&pool).await;
    assert_eq!(unsent.len(), 1, "{unsent:?}");
    assert_eq!(unsent[0].0, "pending");

    let mut second = Bot::start(&config, &url, &[]);
    outbox::wait_sent(&pool, 100).await;
    second.terminate();
    assert_eq!(second.exit_code().await, Some(0), "{}", second.logs());
    let mut everything = first.sent();
    everything.extend(second.sent());
    // A worker stopped between printing a message and recording it hands it back too.
    assert!(
        repeated(&everything).len() <= 4,
        "{:?}",
        repeated(&everything)
    );
    let distinct: BTreeSet<String> = everything.into_iter().collect();
    assert_eq!(distinct.into_iter().collect::<Vec<_>>(), outbox::all(100));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn kill_9_ten_times_over_1000_messages_loses_none(pool: PgPool) {
    let program = common::program(&pool).await;
    outbox::queue(&pool, program.id, 1000).await;
    let dir = tempfile::tempdir().unwrap();
    let knobs = Knobs {
        console_per_second: 150,
        // A killed process's claims come back after this.
        lease_seconds: 2,
        ..Knobs::default()
    };
    let config = config(dir.path(), &knobs);
    let url = database_url(&pool);

    // Who printed what, and what each killed process held unrecorded when it died.
    let mut printed: Vec<(usize, Vec<String>)> = Vec::new();
    let mut in_flight: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for round in 0..10 {
        let mut bot = Bot::start(&config, &url, &[]);
        bot.wait_sent(40).await;
        bot.kill();
        in_flight.insert(
            round,
            outbox::claimed_by(&pool, &bot.worker)
                .await
                .into_iter()
                .collect(),
        );
        // The pipe holds everything it wrote before it died.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        printed.push((round, bot.sent()));
    }
    let mut last = Bot::start(&config, &url, &[]);
    outbox::wait_sent(&pool, 1000).await;
    last.terminate();
    assert_eq!(last.exit_code().await, Some(0), "{}", last.logs());
    printed.push((10, last.sent()));

    let everything: Vec<String> = printed.iter().flat_map(|(_, s)| s.clone()).collect();
    let distinct: BTreeSet<String> = everything.iter().cloned().collect();
    assert_eq!(distinct.into_iter().collect::<Vec<_>>(), outbox::all(1000));
    assert_eq!(outbox::unsent(&pool).await, vec![]);
    // A message went out again only after a process that printed it was killed before
    // recording it.
    for (message, _) in repeated(&everything) {
        let rounds: Vec<usize> = printed
            .iter()
            .filter(|(_, sent)| sent.contains(&message))
            .map(|(round, _)| *round)
            .collect();
        for round in &rounds[..rounds.len() - 1] {
            assert!(
                in_flight.get(round).is_some_and(|f| f.contains(&message)),
                "{message} went out again but was not in flight when process {round} was killed"
            );
        }
    }
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_second_signal_stops_at_once(pool: PgPool) {
    let program = common::program(&pool).await;
    // More than a pipe holds: the console's output is never read, so its one worker blocks on a
    // full stdout in the middle of a send, and stopping would wait out the whole grace period.
    outbox::queue(&pool, program.id, 3000).await;
    let dir = tempfile::tempdir().unwrap();
    let knobs = Knobs {
        shutdown_grace_seconds: 600,
        ..Knobs::default()
    };
    let path = config(dir.path(), &knobs);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("[dispatch]\n", "[dispatch]\nworkers = 1\n");
    std::fs::write(&path, text).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_creator-bot"))
        .arg("--config")
        .arg(&path)
        .args(["run", "--console"])
        .env("DATABASE_URL", database_url(&pool))
        .env_remove("CREATOR_BOT_CONFIG")
        .env_remove("CREATOR_BOT_LOG")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let _unread_stdout = child.stdout.take();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let address = loop {
        line.clear();
        let n = std::io::BufRead::read_line(&mut stderr, &mut line).unwrap();
        assert!(n > 0, "the bot ended before listening");
        if let Some(at) = line.find("listening on http://") {
            break line[at + "listening on http://".len()..].trim().to_string();
        }
    };
    // Keep reading its logs so stderr never blocks it.
    let logs = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let into = logs.clone();
    std::thread::spawn(move || {
        let mut line = String::new();
        while std::io::BufRead::read_line(&mut stderr, &mut line).unwrap_or(0) > 0 {
            into.lock().unwrap().push_str(&line);
            line.clear();
        }
    });
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    let term = || nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();

    // Once the worker is stuck, the first signal starts stopping: the process waits for it.
    let started = std::time::Instant::now();
    let mut last = -1;
    loop {
        let sent = outbox::sent(&pool).await;
        if sent > 0 && sent == last {
            break;
        }
        last = sent;
        assert!(
            started.elapsed() < super::bot::PATIENCE,
            "the sends never stopped"
        );
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
    assert!(last < 3000, "stdout never filled up");
    term();
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert!(
        child.try_wait().unwrap().is_none(),
        "it stopped at the first signal: {} sent\n{}",
        outbox::sent(&pool).await,
        logs.lock().unwrap()
    );
    // The rest of the service still answers while stopping: it is not ready any more.
    assert_eq!(
        super::bot::get(&address, "/readyz").await.0,
        503,
        "a stopping process is ready"
    );
    // The second one ends it at once, with code 130.
    term();
    let stopped = std::time::Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        assert!(
            stopped.elapsed() < std::time::Duration::from_secs(10),
            "the second signal did not stop it"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(code, Some(130));
}
