//! The lines a person types into the demo's console workspace: read on a thread of their own (so
//! they can type while the clock runs), run at the current simulated instant as the staff member,
//! a creator or a stranger, and printed with their answer.

use std::io::BufRead;
use std::sync::Arc;

use anyhow::Result;
use chrono::{DateTime, Utc};
use tokio::sync::mpsc::{UnboundedReceiver, error::TryRecvError};

use super::workspace::{STAFF_NAME, Workspace};
use crate::app::App;
use crate::chat::commands::{Request, respond};
use crate::chat::console::screen::{entry, stamp};
use crate::chat::console::typing::{self, Persona, Typed, Wait};
use crate::domain::timefmt::local_to_utc;
use crate::jobs::ManualClock;

/// Whether the run goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flow {
    Go,
    Quit,
}

/// The input's lines.
pub(super) struct Lines {
    rx: UnboundedReceiver<String>,
    pub open: bool,
}

impl Lines {
    pub fn spawn(input: impl BufRead + Send + 'static) -> Lines {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in input.lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Lines { rx, open: true }
    }

    /// The next line, waiting for it; `None` at the end of input.
    pub async fn next(&mut self) -> Option<String> {
        if !self.open {
            return None;
        }
        let line = self.rx.recv().await;
        self.open = line.is_some();
        line
    }

    /// The next line if one was typed already.
    fn ready(&mut self) -> Option<String> {
        match self.rx.try_recv() {
            Ok(line) => Some(line),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                self.open = false;
                None
            }
        }
    }
}

impl Workspace<'_> {
    /// Runs the lines typed so far at `now`. From a script: every line up to a `/wait` that is
    /// still ahead, or to the end of input; while paused, it waits for the next line.
    pub(super) async fn take_lines(&mut self, now: DateTime<Utc>) -> Result<Flow> {
        loop {
            if let Some(until) = self.held_until {
                if now < until {
                    return Ok(Flow::Go);
                }
                self.held_until = None;
            }
            let line = if !self.interactive || self.paused {
                self.lines.next().await
            } else {
                self.lines.ready()
            };
            let Some(line) = line else {
                if !self.lines.open {
                    // Nobody can type /resume any more.
                    self.paused = false;
                }
                return Ok(Flow::Go);
            };
            if self.typed(&line, now).await? == Flow::Quit {
                return Ok(Flow::Quit);
            }
            // What the command queued (a competition announced, a sample's DMs) goes out now.
            self.dispatcher.drain("console").await?;
        }
    }

    /// Runs one typed line at `now` and prints it with its answer.
    pub(super) async fn typed(&mut self, line: &str, now: DateTime<Utc>) -> Result<Flow> {
        let tz = self.program.timezone;
        // The line shows who typed it, also when it changes who they are.
        let typist = self.persona.clone();
        let answer = match typing::parse(line) {
            Typed::Blank => return Ok(Flow::Go),
            Typed::Invalid(why) => why,
            Typed::Help => typing::help(),
            Typed::Quit => {
                self.echo(&typist, line, now, "Bye.")?;
                return Ok(Flow::Quit);
            }
            Typed::Pause => {
                self.paused = true;
                format!("Paused at {}. /resume to go on.", stamp(now, tz))
            }
            Typed::Resume => {
                self.paused = false;
                self.pace.restart(now);
                "Resumed.".to_string()
            }
            Typed::Wait(wait) => {
                let until = match wait {
                    Wait::Until(local) => local_to_utc(local, tz),
                    Wait::For(span) => now + span,
                };
                self.held_until = Some(until);
                if self.paused {
                    // A script that waits needs the clock running.
                    self.paused = false;
                    self.pace.restart(now);
                }
                format!("Holding the next lines until {}.", stamp(until, tz))
            }
            Typed::As(persona) => self.switch(persona).await?,
            Typed::Command(request) => self.command(&typist, &request, now).await,
        };
        self.echo(&typist, line, now, &answer)?;
        Ok(Flow::Go)
    }

    /// Runs a slash command as `persona` at `now`; returns the reply's text.
    pub(super) async fn command(
        &self,
        persona: &Persona,
        request: &Request,
        now: DateTime<Utc>,
    ) -> String {
        // The line runs at the instant it is taken, whatever the clock shows by then.
        let app = App {
            clock: Arc::new(ManualClock::new(now)),
            ..self.app.clone()
        };
        let reply = respond(&app, &persona.caller(), request).await;
        self.images.reply_text(&reply)
    }

    /// `[stamp] who: line`, and the answer indented under it.
    pub(super) fn echo(
        &self,
        persona: &Persona,
        line: &str,
        now: DateTime<Utc>,
        answer: &str,
    ) -> Result<()> {
        let mut text = entry(
            &stamp(now, self.program.timezone),
            &persona.label(STAFF_NAME),
            line.trim(),
        );
        for l in answer.trim_end().lines() {
            if l.trim().is_empty() {
                text.push('\n');
            } else {
                text.push_str("  ");
                text.push_str(l);
                text.push('\n');
            }
        }
        self.print(&text)
    }

    async fn switch(&mut self, persona: Persona) -> Result<String> {
        let answer = match &persona {
            Persona::Staff => format!("You are {STAFF_NAME} again (staff)."),
            Persona::Stranger => {
                "You are a chat user linked to no one (try /link <handle>).".to_string()
            }
            Persona::Creator(handle) => {
                if crate::db::creators::by_handle(self.pool, self.program.id, handle)
                    .await?
                    .is_none()
                {
                    return Ok(format!("There is no creator @{handle} in this program."));
                }
                format!("You are @{handle} (a creator). /as staff to go back.")
            }
        };
        self.persona = persona;
        Ok(answer)
    }
}
