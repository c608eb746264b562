//! The fake's own tests: raw HTTP requests (reqwest) signed with [`super::sign`], whose
//! algorithm is checked against a vector computed apart from it; `harness` sends them.

mod catalog;
mod faults;
mod harness;
mod orders;
mod signing;
mod tokens;
