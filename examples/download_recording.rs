//! Downloads a call recording to a file with a progress bar, streaming it: the body is
//! written as it arrives and never held whole, so a recording of any length downloads in
//! constant memory.
//!
//! Without `AMIGO_API_KEY` it starts the embedded mock server on 127.0.0.1 and downloads a
//! generated 50 MB recording. With `AMIGO_API_KEY` and `AMIGO_WORKSPACE_ID` set, pass the call
//! SID and the file name: `cargo run --example download_recording -- CA123 recording.wav`.
//! The file is written to the current directory under its name (against the mock, to the
//! temporary directory, and removed afterwards).

use amigo_platform::blocking::Client;
use amigo_platform::{ApiExt, Config, Error};
use amigo_platform_testkit::MockServer;
use indicatif::{ProgressBar, ProgressStyle};

fn main() -> Result<(), Error> {
    let live = std::env::var("AMIGO_API_KEY").is_ok_and(|k| !k.trim().is_empty());
    let mock = (!live).then(MockServer::start);
    let (config, call_sid, filename) = match &mock {
        Some(server) => {
            println!(
                "no AMIGO_API_KEY: using the embedded mock server at {}",
                server.base_url()
            );
            let config = Config::builder()
                .api_key(MockServer::API_KEY)
                .workspace_id(MockServer::WORKSPACE_ID)
                .base_url(server.base_url())
                .build()?;
            (
                config,
                "CA-demo".to_owned(),
                "recording-50000000.wav".to_owned(),
            )
        }
        None => {
            let mut args = std::env::args().skip(1);
            let (Some(call_sid), Some(filename)) = (args.next(), args.next()) else {
                return Err(Error::config(
                    "usage: download_recording <call_sid> <filename>",
                ));
            };
            (Config::from_env()?, call_sid, filename)
        }
    };
    // Only the last path segment names the local file (never a path from the arguments).
    let local = std::path::Path::new(&filename)
        .file_name()
        .map(|n| n.to_owned())
        .ok_or_else(|| Error::config("the file name is empty"))?;
    let local = match &mock {
        Some(_) => std::env::temp_dir().join(local),
        None => std::path::PathBuf::from(local),
    };
    let client = Client::new(config);

    let download = client
        .api()
        .recordings()
        .download(&call_sid, &filename)
        .stream()?;
    let bar = match download.content_length() {
        Some(total) => ProgressBar::new(total),
        None => ProgressBar::no_length(),
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = bar.clone();
    let mut download = download.on_progress(move |p| progress.set_position(p.done));

    let file = std::fs::File::create(&local)
        .map_err(|e| Error::config(format!("cannot create {}: {e}", local.display())))?;
    let mut out = std::io::BufWriter::new(file);
    let written = download.copy_to(&mut out)?;
    bar.finish();
    println!(
        "saved {written} bytes ({}) to {}",
        download.content_type().unwrap_or("unknown type"),
        local.display()
    );
    if mock.is_some() {
        std::fs::remove_file(&local)
            .map_err(|e| Error::config(format!("cannot remove {}: {e}", local.display())))?;
    }
    Ok(())
}
