//! `creator-bot run` as a child process on a real PostgreSQL: its endpoints, stopping it (SIGTERM,
//! kill -9), several processes on one database, and the database restarting under it.

pub(crate) mod bot;
mod endpoints;
mod outbox;
mod shared_db;
mod shutdown;
