//! `nexudus-host-proxy`: serves the reference host backend, or mints a member session.
//!
//! After binding it prints exactly one line to stdout, `nexudus-host-proxy listening on
//! http://<addr>`, and logs everything else to stderr.

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use nexudus_host_proxy::claims::{self, Member};
use nexudus_host_proxy::cli::{secret_var, secrets_from_env, Cli, Command, LogFormat};
use nexudus_host_proxy::Proxy;

fn print_line(line: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))
}

fn mint(
    sub: u64,
    business_id: u64,
    groups: Option<Vec<u64>>,
    ttl_seconds: u64,
) -> Result<(), String> {
    let secret = secret_var("MEMBER_JWT_SECRET").ok_or("MEMBER_JWT_SECRET is not set")?;
    if secret.expose().len() < claims::MIN_SECRET_BYTES {
        return Err(format!(
            "MEMBER_JWT_SECRET must have at least {} bytes",
            claims::MIN_SECRET_BYTES
        ));
    }
    if sub == 0 || business_id == 0 {
        return Err("--sub and --business-id must be positive".into());
    }
    let member = Member {
        user_id: sub,
        business_id,
    };
    if let Some(groups) = &groups {
        if groups.len() > claims::MAX_GROUPS
            || groups.iter().any(|g| *g == 0 || *g > claims::MAX_ID)
        {
            return Err(format!(
                "--groups takes at most {} board Ids, each in 1..=2^53",
                claims::MAX_GROUPS
            ));
        }
    }
    let token = claims::mint_with_groups(
        &secret,
        member,
        groups.as_deref(),
        Duration::from_secs(ttl_seconds),
    )?;
    print_line(token.expose())
}

async fn serve(cli: Cli) -> Result<(), String> {
    let level = if cli.serve.quiet {
        tracing::Level::WARN
    } else {
        tracing::Level::INFO
    };
    let logs = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_target(false);
    match cli.serve.log_format {
        LogFormat::Json => logs.json().init(),
        LogFormat::Text => logs.with_ansi(std::io::stderr().is_terminal()).init(),
    }
    let listen = cli.serve.listen;
    let secrets = secrets_from_env()?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    let config = cli.serve.into_config(secrets, local)?;
    let proxy = Proxy::new(config).await.map_err(|e| e.to_string())?;
    print_line(&format!("nexudus-host-proxy listening on http://{local}"))?;
    proxy
        .run(listener, nexudus_host_proxy::shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::MintSession {
            sub,
            business_id,
            groups,
            ttl_seconds,
        }) => mint(sub, business_id, groups, ttl_seconds),
        None => serve(cli).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nexudus-host-proxy: {e}");
            ExitCode::FAILURE
        }
    }
}
