//! The `kaizen` command: serve (default), migrate, org, user, demo, openapi.

use std::process::ExitCode;

use actix_web::web;
use clap::{Parser, Subcommand};
use kaizen::bootstrap::{self, CreatedAccount};
use kaizen::config::Settings;
use kaizen::domain::roles::Role;
use kaizen::startup::{self, Application};
use kaizen::{demo, openapi, telemetry};

#[derive(Parser)]
#[command(
    name = "kaizen",
    version,
    about = "Continuous improvement and learning-culture assessment for municipalities"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (the default). Reads KAIZEN_BIND and DATABASE_URL.
    Serve {
        /// First create the demo town administration (as `kaizen demo`) unless the
        /// database holds it already; its logins are printed once.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        /// Instead, undo the most recently applied migration with its down.sql (data in
        /// the tables it created is lost); each call goes one migration further back.
        #[arg(long)]
        revert_last: bool,
    },
    /// Manage organisations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Copy the SQLite database into a new file while the service may run (a consistent
    /// snapshot; PostgreSQL: use pg_dump).
    Backup {
        /// The new file (must not exist).
        file: std::path::PathBuf,
    },
    /// Check the audit trail's hash chain of every organisation (or one): names each
    /// edited, inserted or deleted entry and exits with 1 when there is one.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Load data from other systems.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Create the demo town administration "Stadt Musterstadt" (slug musterstadt) with
    /// users of every role, three closed assessment rounds and ideas in every stage, and
    /// print its logins. With --ideas/--responses: the large data sets for benchmarks.
    Demo {
        /// Seed of the random generator; the same seed gives the same data.
        #[arg(long, default_value_t = demo::DEFAULT_SEED)]
        seed: u64,
        /// Generate exactly this many ideas (about five votes each) instead of the
        /// hand-written scenario.
        #[arg(long)]
        ideas: Option<usize>,
        /// Exactly this many responses in every round (enough users are created).
        #[arg(long)]
        responses: Option<usize>,
        /// Number of closed rounds, half a year apart [default: 20 with --responses, else 3].
        #[arg(long)]
        rounds: Option<usize>,
        /// One password for every demo account instead of a generated one per role.
        #[arg(long)]
        password: Option<String>,
        /// Create this many organisations (needs --ideas): Stadt Musterstadt and
        /// kommune-0002 …, sized by Zipf's law; --ideas and --responses are then totals.
        #[arg(long, default_value_t = 1)]
        organizations: usize,
        /// Average votes per generated idea [default: about five].
        #[arg(long)]
        votes_per_idea: Option<f64>,
    },
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Create an organisation with its first admin.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        slug: String,
        #[arg(long)]
        admin_email: String,
        /// Generated and printed once when left out.
        #[arg(long)]
        admin_password: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user in an organisation.
    Create {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// employee, lead, manager or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Unit id or exact unit name.
        #[arg(long)]
        unit: Option<String>,
        /// Generated and printed once when left out.
        #[arg(long)]
        password: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the hash chain.
    Verify {
        /// Only this organisation (its slug).
        #[arg(long)]
        org: Option<String>,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import units and staff from a CSV list (columns personnel_number, name, email,
    /// unit, role; UTF-8 or Windows-1252; `;` or `,`). Exits with 1 when a line has a
    /// problem; then nothing is written.
    Staff {
        /// The CSV file.
        file: std::path::PathBuf,
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// Only print what would change.
        #[arg(long)]
        dry_run: bool,
        /// Deactivate active people missing from the list (never administrators).
        #[arg(long)]
        deactivate_missing: bool,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "use employee, lead, manager or admin".into())
}

fn print_account(what: &str, account: &CreatedAccount) {
    println!("{what}: {} (id {})", account.user.email, account.user.id);
    if let Some(p) = &account.generated_password {
        println!("password (shown only now, must be changed at first login): {p}");
    }
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        print!("{}", openapi::to_pretty_json(&openapi::document()));
        return ExitCode::SUCCESS;
    }
    let mut settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(settings.log_format);
    let command = cli.command.unwrap_or(Command::Serve { demo: false });
    // A one-shot command works on one connection at a time. A larger pool would open more
    // connections in its own threads after the first is taken, and on PostgreSQL a
    // process leaving while one of them was being opened crashed in libpq's and
    // OpenSSL's clean-up (SIGSEGV after the work was done: 10 of 60 `kaizen audit
    // verify` runs with 4 connections, none of 40 with one).
    if !matches!(command, Command::Serve { .. }) && settings.pool_size.is_none() {
        settings.pool_size = Some(1);
    }
    match run(command, settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn blocking<T: Send + 'static>(
    pool: &kaizen::db::DbPool,
    f: impl FnOnce(&mut kaizen::db::DbConnection) -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        f(&mut conn)
    })
    .await
    .map_err(|e| e.to_string())?
}

async fn run(command: Command, settings: Settings) -> Result<(), String> {
    match command {
        Command::Serve { demo } => {
            if demo {
                // Refuse a configuration the server would refuse before writing the demo.
                kaizen::auth::secret::resolve(&settings).map_err(|e| e.to_string())?;
                let pool = startup::open_database(&settings).await.map_err(|e| e.to_string())?;
                match demo::ensure(&pool, demo::Options::default()).await? {
                    Some(summary) => eprintln!(
                        "\n  kaizen: created the demo organisation.\n{}\n\n{}",
                        summary.counts_text(),
                        summary.logins_text()
                    ),
                    None => tracing::info!("the demo organisation exists already; serving it"),
                }
            }
            let app = Application::build(settings).await.map_err(|e| e.to_string())?;
            app.run_until_stopped().await.map_err(|e| e.to_string())
        }
        Command::Migrate { revert_last: false } => {
            startup::open_database(&settings).await.map_err(|e| e.to_string())?;
            println!("migrations are up to date");
            Ok(())
        }
        Command::Migrate { revert_last: true } => {
            // Without applying pending migrations first: called again, it goes one further
            // back instead of reverting what it had just applied.
            let target = settings.database_target().map_err(|e| e.to_string())?;
            let name = tokio::task::spawn_blocking(move || kaizen::db::revert_last_applied(&target))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?;
            println!("reverted migration {name}");
            Ok(())
        }
        Command::Org {
            command:
                OrgCommand::Create {
                    name,
                    slug,
                    admin_email,
                    admin_password,
                },
        } => {
            let pool = startup::open_database(&settings).await.map_err(|e| e.to_string())?;
            let (org, account) = blocking(&pool, move |conn| {
                bootstrap::create_organization(conn, &name, &slug, &admin_email, admin_password.as_deref())
            })
            .await?;
            println!("organisation: {} ({}, id {})", org.name, org.slug, org.id);
            print_account("admin", &account);
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Create {
                    org,
                    email,
                    name,
                    role,
                    unit,
                    password,
                },
        } => {
            let pool = startup::open_database(&settings).await.map_err(|e| e.to_string())?;
            let account = blocking(&pool, move |conn| {
                bootstrap::create_user(conn, &org, &email, &name, role, unit.as_deref(), password.as_deref())
            })
            .await?;
            print_account("user", &account);
            Ok(())
        }
        Command::Demo {
            seed,
            ideas,
            responses,
            rounds,
            password,
            organizations,
            votes_per_idea,
        } => {
            let pool = startup::open_database(&settings).await.map_err(|e| e.to_string())?;
            let options = demo::Options {
                seed,
                ideas,
                responses,
                rounds,
                password,
                organizations,
                votes_per_idea,
            };
            let summary = blocking(&pool, move |conn| {
                let mut progress = |line: &str| eprintln!("{line}");
                demo::create(conn, &options, &mut progress).map_err(|e| e.to_string())
            })
            .await?;
            println!("{}\n\n{}", summary.counts_text(), summary.logins_text());
            Ok(())
        }
        Command::Backup { file } => {
            let target = settings.database_target().map_err(|e| e.to_string())?;
            let shown = file.display().to_string();
            tokio::task::spawn_blocking(move || kaizen::db::backup_sqlite(&target, &file))
                .await
                .map_err(|e| e.to_string())??;
            println!("backup written to {shown}");
            Ok(())
        }
        Command::Import {
            command:
                ImportCommand::Staff {
                    file,
                    org,
                    dry_run,
                    deactivate_missing,
                },
        } => {
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let pool = startup::open_database(&settings).await.map_err(|e| e.to_string())?;
            let report = blocking(&pool, move |conn| {
                kaizen::store::staff_import::import_bytes(conn, &org, &bytes, deactivate_missing, dry_run)
                    .map_err(|e| e.to_string())
            })
            .await?;
            println!("{}", report.summary_text());
            if report.problems.is_empty() {
                Ok(())
            } else {
                Err(format!("{} problems in the list", report.problems.len()))
            }
        }
        Command::Audit {
            command: AuditCommand::Verify { org },
        } => {
            let pool = startup::open_database(&settings).await.map_err(|e| e.to_string())?;
            let report = blocking(&pool, move |conn| {
                kaizen::store::audit::verify_all(conn, org.as_deref()).map_err(|e| e.to_string())
            })
            .await?;
            let mut broken = 0;
            for (slug, entries, findings) in &report {
                if findings.is_empty() {
                    println!("{slug}: {entries} entries, chain intact");
                } else {
                    broken += 1;
                    println!("{slug}: {entries} entries, {} problems", findings.len());
                    for f in findings {
                        println!("  entry {} ({}): {}", f.seq, f.id.as_deref().unwrap_or("-"), f.problem);
                    }
                }
            }
            if broken == 0 {
                Ok(())
            } else {
                Err(format!("the audit trail of {broken} organisation(s) was altered"))
            }
        }
        Command::Openapi => Ok(()),
    }
}
