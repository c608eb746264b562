//! The private PostgreSQL cluster: created on first use, reused while running, stopped on request.

use creator_bot::db::embedded::{Durability, EmbeddedCluster};
use sqlx::ConnectOptions;
use sqlx::postgres::PgConnectOptions;
use std::str::FromStr;

#[tokio::test]
async fn creates_starts_reuses_and_stops_a_private_cluster() {
    let dir = tempfile::Builder::new()
        .prefix("cb-pg")
        .tempdir_in("/tmp")
        .unwrap();
    // tempdir is 0700 and root-owned; the postgres user must be able to reach the data dir.
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let cluster = EmbeddedCluster::locate(&dir.path().join("pg"), None).unwrap();
    assert_eq!(cluster.data_dir, dir.path().join("pg"));
    cluster.ensure_running(Durability::Throwaway).unwrap();
    assert!(cluster.is_running().unwrap());
    // A second call finds it running and leaves it be.
    cluster.ensure_running(Durability::Throwaway).unwrap();

    let options = PgConnectOptions::from_str(&cluster.url("bot")).unwrap();
    creator_bot::db::create_database_if_missing(&options)
        .await
        .unwrap();
    creator_bot::db::create_database_if_missing(&options)
        .await
        .unwrap();
    let mut conn = options.connect().await.unwrap();
    creator_bot::db::MIGRATOR.run(&mut conn).await.unwrap();
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' \
         AND table_name IN ('programs', 'creators', 'order_lines', 'outbox', 'tier_history')",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(tables, 5);
    drop(conn);

    assert!(cluster.stop().unwrap());
    assert!(!cluster.is_running().unwrap());
    assert!(!cluster.stop().unwrap());
}
