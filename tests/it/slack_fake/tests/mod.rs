//! The fake proved against slack-morphism 2.31.1's real client, Socket Mode listener and
//! signature verifier. `harness` points them at the fake.

mod files_and_failures;
mod harness;
mod signing;
mod socket_mode;
mod web_api;
