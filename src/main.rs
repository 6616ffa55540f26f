//! The `redress` command: serve the API, migrate, print the OpenAPI
//! document, manage users, load the demo data.

mod demo;

use std::io::BufRead;
use std::process::ExitCode;

use actix_web::{web, HttpServer};
use clap::{Parser, Subcommand};
use redress::audit::Actor;
use redress::auth::{password, Role};
use redress::config::{Config, LogFormat};
use redress::db::{self, Db};
use redress::state::AppState;
use redress::users::bootstrap::{self, Bootstrap};
use redress::users::model::{self as users, UserData};
use tracing_subscriber::EnvFilter;

/// Redress: complaints, feedback and Ombudsman case management.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Check that a running server answers `/healthz` (for container health checks).
    Healthcheck {
        /// The server's address (default: BIND_ADDR, with 0.0.0.0 read as 127.0.0.1).
        #[arg(long)]
        addr: Option<String>,
    },
    /// Load a synthetic, realistic data set into an empty database.
    Demo,
    /// Copy the SQLite database to a new file while the service keeps running.
    Backup {
        /// The new file.
        path: std::path::PathBuf,
    },
    /// Manage users.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Apply the retention schedule.
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// Import a CSV file (see the README's "Bulk import"); prints the
    /// report as JSON.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
}

/// The options every import takes.
#[derive(clap::Args)]
struct ImportArgs {
    /// The CSV file (UTF-8, a header row first).
    file: std::path::PathBuf,
    /// The directorate of rows that name none.
    #[arg(long)]
    directorate: Option<String>,
    /// Check every row and report, saving nothing.
    #[arg(long)]
    dry_run: bool,
    /// A JSON object from the file's column names to field names.
    #[arg(long)]
    mapping: Option<std::path::PathBuf>,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Feedback records, one a row, each checked as a `POST /feedback`
    /// body; rows whose `external_ref` the directorate has are skipped.
    Feedback(ImportArgs),
    /// The Ombudsman's published decisions, creating or updating cases by
    /// reference (`--directorate` is required when the file has no
    /// directorate column).
    OmbudsmanDecisions(ImportArgs),
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Anonymise and delete what the schedule makes due (the service also
    /// does it daily at `RETENTION_RUN_AT`); prints what was done as JSON.
    Run {
        /// Say what would be done, and do nothing.
        #[arg(long)]
        dry_run: bool,
        /// The day to apply the schedule as of (`YYYY-MM-DD`); today by default.
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
    },
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Create a user; the password is read from standard input.
    Create {
        /// Login name.
        #[arg(long)]
        username: String,
        /// Role: admin, manager, caseworker, analyst or integration.
        #[arg(long)]
        role: String,
        /// A directorate the user works in (repeat for several).
        #[arg(long = "directorate")]
        directorates: Vec<String>,
        /// Name shown to people (defaults to the username).
        #[arg(long)]
        display_name: Option<String>,
    },
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Pretty => builder.init(),
    }
}

/// Keep the idle footprint small under glibc. A password check allocates
/// 19 MiB (argon2), and glibc, after freeing a block that size, raises its
/// threshold for serving large blocks from fresh mappings, so the next one
/// comes from, and stays in, the thread's heap: tens of megabytes kept after
/// the first logins. A fixed threshold (which also stops that adjustment)
/// makes every block over 1 MiB a mapping of its own, returned when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // SAFETY: mallopt only changes the allocator's parameters; it is called
    // before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

/// Give back to the system what start-up (migrations, the demo data, the
/// route table) freed but the allocator kept.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_free_memory() {
    // SAFETY: malloc_trim only returns free memory; it is safe at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_free_memory() {}

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    match &cli.command {
        Some(Command::Openapi) => {
            print!("{}", redress::openapi::spec_text());
            return ExitCode::SUCCESS;
        }
        Some(Command::Healthcheck { addr }) => return healthcheck(addr.clone()),
        _ => {}
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    init_logging(config.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Migrate => open_database(&config, None).map(|_| ()),
        Command::Users { command } => run_users(&config, command),
        Command::Demo => run_demo(&config),
        Command::Retention {
            command: RetentionCommand::Run { dry_run, as_of },
        } => run_retention(&config, dry_run, as_of),
        Command::Backup { path } => run_backup(&config, &path),
        Command::Import { command } => run_import(&config, command),
        Command::Openapi | Command::Healthcheck { .. } => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

/// GET /healthz on the local server with a plain HTTP/1.1 request.
fn healthcheck(addr: Option<String>) -> ExitCode {
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
    use std::time::Duration;
    let addr = addr
        .or_else(|| std::env::var("BIND_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:8080".into())
        .replace("0.0.0.0", "127.0.0.1")
        .replace("[::]", "[::1]");
    let target: Option<SocketAddr> = addr.to_socket_addrs().ok().and_then(|mut a| a.next());
    let Some(target) = target else {
        eprintln!("unhealthy: cannot resolve {addr}");
        return ExitCode::FAILURE;
    };
    let result = (|| -> std::io::Result<String> {
        let mut stream = TcpStream::connect_timeout(&target, Duration::from_secs(3))?;
        stream.set_read_timeout(Some(Duration::from_secs(3)))?;
        write!(
            stream,
            "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        Ok(response)
    })();
    match result {
        Ok(response) if response.starts_with("HTTP/1.1 200") => ExitCode::SUCCESS,
        Ok(response) => {
            eprintln!("unhealthy: {}", response.lines().next().unwrap_or(""));
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("unhealthy: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Connect and apply pending migrations. The server's requests have a time
/// limit on their database work; the command line's work has none.
fn open_database(config: &Config, limit: Option<std::time::Duration>) -> Result<Db, String> {
    let db = Db::connect(&config.database_url, config.database_pool_size, limit)?;
    let mut conn = db
        .get()
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    let ran = redress::prepare_database(&mut conn)?;
    if ran > 0 {
        tracing::info!(migrations = ran, "database migrated");
    }
    Ok(db)
}

/// Create the first admin if no user exists yet (API.md: "First start").
fn first_admin(db: &db::Db, config: &Config) -> Result<(), String> {
    let mut conn = db.get().map_err(|e| e.to_string())?;
    match bootstrap::ensure_admin(&mut conn, config.bootstrap_admin_password.as_deref())
        .map_err(|e| format!("cannot create the first admin: {e}"))?
    {
        Bootstrap::NotNeeded => {}
        Bootstrap::Created => tracing::info!("created user `admin` with BOOTSTRAP_ADMIN_PASSWORD"),
        Bootstrap::CreatedWithPassword(password) => tracing::warn!(
            "created user `admin` with password {password} (shown once: change it, or set BOOTSTRAP_ADMIN_PASSWORD)"
        ),
    }
    Ok(())
}

fn serve(config: Config) -> Result<(), String> {
    let db = open_database(&config, Some(config.statement_timeout))?;
    first_admin(&db, &config)?;
    db.start_checkpointer()?;
    if config.jwt_secret.is_none() {
        tracing::info!("JWT_SECRET is not set: signing tokens with the key kept in the database");
    }
    let bind_addr = config.bind_addr.clone();
    let workers = config.workers;
    let metrics_addr = config.metrics_addr.clone();
    // Each worker's blocking threads run database work, and that work waits
    // for a pooled connection anyway: more threads than connections only
    // queue, and each holds memory.
    let blocking_threads = config.database_pool_size as usize + 2;
    let state = web::Data::new(AppState::new(config, db)?);
    actix_web::rt::System::new().block_on(async move {
        actix_web::rt::spawn(redress::ops::maintenance(state.clone()));
        actix_web::rt::spawn(redress::ops::flush_access_log(state.clone()));
        actix_web::rt::spawn(redress::webhooks::delivery::run(state.clone()));
        if let Some(at) = state.config.retention_run_at {
            actix_web::rt::spawn(redress::ops::daily_retention(state.clone(), at));
        }
        if let Some(addr) = metrics_addr {
            let metrics_state = state.clone();
            let metrics = HttpServer::new(move || {
                let state = metrics_state.clone();
                actix_web::App::new().route(
                    "/metrics",
                    web::get().to(move || {
                        let state = state.clone();
                        async move { redress::ops::api::metrics_text(&state) }
                    }),
                )
            })
            .workers(1)
            .bind(&addr)
            .map_err(|e| format!("cannot listen on METRICS_ADDR {addr}: {e}"))?
            .run();
            tracing::info!(address = %addr, "serving /metrics");
            actix_web::rt::spawn(metrics);
        }
        redress::openapi::prepare();
        // Once the workers have built their apps (each its route table).
        actix_web::rt::spawn(async {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(500)).await;
            release_free_memory();
        });
        let app_state = state.clone();
        let mut server = HttpServer::new(move || redress::build_app(app_state.clone()))
            .shutdown_timeout(10)
            .worker_max_blocking_threads(blocking_threads);
        if let Some(workers) = workers {
            server = server.workers(workers);
        }
        let server = server
            .bind(&bind_addr)
            .map_err(|e| format!("cannot listen on {bind_addr}: {e}"))?;
        tracing::info!(
            address = %bind_addr,
            database = %state.db.target_label(),
            "serving; API docs at http://{bind_addr}/docs/"
        );
        server.run().await.map_err(|e| e.to_string())?;
        state.access.flush().await;
        tracing::info!("stopped");
        Ok(())
    })
}

fn run_retention(
    config: &Config,
    dry_run: bool,
    as_of: Option<chrono::NaiveDate>,
) -> Result<(), String> {
    let db = open_database(config, None)?;
    let documents = redress::documents::Documents::new(
        config.documents_dir.clone(),
        config.documents_storage,
        config.documents_max_bytes,
    );
    let as_of = as_of
        .or(config.today)
        .unwrap_or_else(redress::calendar::uk_today);
    let report = actix_web::rt::System::new()
        .block_on(redress::retention::run::run(
            &db, &documents, as_of, dry_run,
        ))
        .map_err(|e| e.to_string())?;
    println!(
        "{}",
        serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
    );
    Ok(())
}

fn run_import(config: &Config, command: ImportCommand) -> Result<(), String> {
    use redress::imports::{self, report::ImportKind};
    let (kind, args) = match command {
        ImportCommand::Feedback(args) => (ImportKind::Feedback, args),
        ImportCommand::OmbudsmanDecisions(args) => (ImportKind::OmbudsmanDecisions, args),
    };
    let bytes = std::fs::read(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let mapping = match &args.mapping {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Some(imports::columns::parse_mapping(&text).map_err(|e| imports::describe(&e))?)
        }
        None => None,
    };
    let db = open_database(config, None)?;
    let rules = {
        let mut conn = db.get().map_err(|e| e.to_string())?;
        redress::timescales::TimeRules::load(&mut conn).map_err(|e| e.to_string())?
    };
    let today = redress::calendar::Today(config.today.unwrap_or_else(redress::calendar::uk_today));
    let options = imports::Options {
        kind,
        directorate: args.directorate,
        dry_run: args.dry_run,
        mapping,
        filename: args
            .file
            .file_name()
            .map(|name| name.to_string_lossy().into_owned()),
    };
    let started = std::time::Instant::now();
    let (job, tally) = actix_web::rt::System::new().block_on(async {
        let prepared = imports::prepare(&db, &bytes, options, rules, today)
            .await
            .map_err(|e| imports::describe(&e))?;
        let job = imports::create_job(&db, &prepared, "command-line")
            .await
            .map_err(|e| e.to_string())?;
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(prepared.rows.len() as u64),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} rows ({per_sec}, {eta} left)",
        ) {
            bar.set_style(style);
        }
        let actor = Actor::system("command-line");
        let tally = imports::run(&db, prepared, job, actor, |tally| {
            bar.set_position(tally.rows_processed as u64)
        })
        .await
        .map_err(|e| e.to_string())?;
        bar.finish_and_clear();
        Ok::<_, String>((job, tally))
    })?;
    let seconds = started.elapsed().as_secs_f64();
    let report = serde_json::json!({
        "job": job,
        "dry_run": args.dry_run,
        "seconds": (seconds * 1000.0).round() / 1000.0,
        "rows_per_second": (tally.rows_processed as f64 / seconds.max(1e-9)).round(),
        "report": tally,
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
    );
    Ok(())
}

fn run_backup(config: &Config, path: &std::path::Path) -> Result<(), String> {
    let db = open_database(config, None)?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    db::backup(&mut conn, path)?;
    // The files after the database, so that every document the copy
    // records has its file (one deleted in between is a harmless extra).
    let files_to = path.with_extension("documents");
    let files = redress::documents::storage::copy_files(&config.documents_dir, &files_to)
        .map_err(|e| format!("cannot copy the document files: {e}"))?;
    println!(
        "backed up to {} and {files} document files to {} in {:.1} s",
        path.display(),
        files_to.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn run_demo(config: &Config) -> Result<(), String> {
    let db = open_database(config, None)?;
    // The demo makes caseworkers: the first admin comes first, as a first
    // start would make it, so that it is there to sign in with.
    first_admin(&db, config)?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let rules = redress::timescales::TimeRules::load(&mut conn).map_err(|e| e.to_string())?;
    let today = redress::calendar::uk_today();
    let started = std::time::Instant::now();
    let summary = db::write_tx(&mut conn, |conn| demo::load(conn, &rules, today))
        .map_err(|e| e.to_string())?;
    println!(
        "loaded {} feedback records, {} Ombudsman cases and {} service improvements in {:.1} s",
        summary.feedback,
        summary.ombudsman_cases,
        summary.service_improvements,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn run_users(config: &Config, command: UsersCommand) -> Result<(), String> {
    let UsersCommand::Create {
        username,
        role,
        directorates,
        display_name,
    } = command;
    let role = Role::parse(&role).ok_or_else(|| {
        format!(
            "unknown role `{role}`; use one of {}",
            Role::ALL
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let secret = line.trim_end_matches(['\r', '\n']).to_string();
    if let Some(problem) = password::problem_with(&secret) {
        return Err(format!("the password {problem}"));
    }
    let db = open_database(config, None)?;
    let hash = password::hash(&secret).map_err(|e| e.to_string())?;
    let data = UserData {
        display_name: display_name.unwrap_or_else(|| username.clone()),
        username,
        role,
        directorates,
        active: true,
    };
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let row = db::write_tx(&mut conn, |conn| {
        users::create(conn, &Actor::system("command-line"), &data, &hash)
    })
    .map_err(|e| match e {
        redress::error::ApiError::Validation(errors) => errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    })?;
    println!(
        "created user {} (id {}, role {})",
        row.username, row.id, row.role
    );
    Ok(())
}
