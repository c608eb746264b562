//! `creator-bot run --console`: the console workspace as the service's chat platform, on the real
//! clock, so the bot can be tried without any token. Posts and DMs are printed on stdout; lines
//! typed on stdin are slash commands, run as the staff member (user `staff`) or, after
//! `/as @handle`, as that creator. Every creator's console account is their handle, as in the
//! demo, and creators imported while it runs are linked on the next scheduler tick.

use std::io::BufRead;
use std::sync::Arc;

use anyhow::Result;
use tokio::sync::watch;

use crate::app::App;
use crate::chat::Platform;
use crate::chat::commands::respond;
use crate::chat::console::screen::{entry, stamp};
use crate::chat::console::typing::{self, Persona, Typed};
use crate::chat::console::{ConsoleSender, Screen, WORKSPACE_ID};
use crate::db::chat as chat_db;
use crate::db::programs::Program;

/// The staff member the console acts as.
pub const STAFF_NAME: &str = "Console staff";

/// The console workspace linked to one program.
pub struct Console {
    pub sender: Arc<ConsoleSender>,
    pub program: Program,
    screen: Screen,
}

impl Console {
    /// Links the console workspace to `program` (the staff member as user `staff`, every creator
    /// as their handle) and prints on stdout.
    pub async fn open(app: &App, program: Program) -> Result<Console> {
        crate::chat::console::connect(&app.pool, program.id, STAFF_NAME, app.now()).await?;
        let screen = Screen::new(std::io::stdout());
        let images = crate::chat::console::ImageFiles::new(app.config.charts.console_dir());
        let sender = Arc::new(
            ConsoleSender::new(app.pool.clone(), app.clock.clone(), screen.clone())
                .with_images(Arc::new(images)),
        );
        let console = Console {
            sender,
            program,
            screen,
        };
        let linked = console.link_new_creators(app).await?;
        tracing::info!(
            program = console.program.slug,
            creators = linked,
            "console workspace linked; type /help for the commands"
        );
        Ok(console)
    }

    /// Links the creators who have no console account yet; returns how many.
    pub async fn link_new_creators(&self, app: &App) -> Result<u64> {
        chat_db::link_creators_by_handle(
            &app.pool,
            self.program.id,
            Platform::Console.as_str(),
            WORKSPACE_ID,
            app.now(),
        )
        .await
    }

    /// Reads stdin on a thread of its own and runs each line; `/quit` stops the service. The end
    /// of stdin only ends the reading: the service goes on.
    pub fn spawn_input(self: &Arc<Self>, app: App, stop: Arc<watch::Sender<bool>>) {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        std::thread::spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let mut persona = Persona::Staff;
            while let Some(line) = rx.recv().await {
                if *stop.borrow() {
                    break;
                }
                if this.typed(&app, &mut persona, &line).await {
                    stop.send_replace(true);
                    break;
                }
            }
        });
    }

    /// Runs one line and prints it with its answer; `true` for `/quit`.
    async fn typed(&self, app: &App, persona: &mut Persona, line: &str) -> bool {
        let now = app.now();
        let typist = persona.clone();
        let (answer, quit) = match typing::parse(line) {
            Typed::Blank => return false,
            Typed::Invalid(why) => (why, false),
            Typed::Help => (typing::help(), false),
            Typed::Quit => ("Stopping the bot.".to_string(), true),
            Typed::Pause | Typed::Resume | Typed::Wait(_) => (
                "The bot runs on the real clock here: /pause, /resume and /wait are the demo's."
                    .to_string(),
                false,
            ),
            Typed::As(next) => (self.switch(app, persona, next).await, false),
            Typed::Command(request) => {
                let reply = respond(app, &typist.caller(), &request).await;
                (reply.text(), false)
            }
        };
        let mut text = entry(
            &stamp(now, self.program.timezone),
            &typist.label(STAFF_NAME),
            line.trim(),
        );
        for l in answer.trim_end().lines() {
            text.push_str(if l.trim().is_empty() { "" } else { "  " });
            text.push_str(l);
            text.push('\n');
        }
        if let Err(e) = self.screen.print(&text) {
            tracing::warn!("writing to the console: {e}");
        }
        quit
    }

    async fn switch(&self, app: &App, persona: &mut Persona, next: Persona) -> String {
        let answer = match &next {
            Persona::Staff => format!("You are {STAFF_NAME} again (staff)."),
            Persona::Stranger => {
                "You are a chat user linked to no one (try /link <handle>).".to_string()
            }
            Persona::Creator(handle) => {
                match crate::db::creators::by_handle(&app.pool, self.program.id, handle).await {
                    Ok(Some(_)) => format!("You are @{handle} (a creator). /as staff to go back."),
                    Ok(None) => return format!("There is no creator @{handle} in this program."),
                    Err(e) => return format!("Could not look up @{handle}: {e:#}"),
                }
            }
        };
        *persona = next;
        answer
    }
}
