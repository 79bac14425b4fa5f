//! Build an intake form: create an upload link for a customer, let someone send files through
//! the link's public routes (no API key; the link token is the credential), then list and
//! download what was submitted, and revoke the link.
//!
//! Without `AMIGO_API_KEY` it runs the whole flow against the embedded mock on 127.0.0.1.
//! With `AMIGO_API_KEY` and `AMIGO_WORKSPACE_ID` set it lists your workspace's links and the
//! submissions of the first one (read-only: no link is created).
//!
//! Run: `cargo run --example build_a_form`

#[path = "guide/mod.rs"]
mod guide;

use amigo_platform::api::models::CreateLinkRequest;
use amigo_platform::prelude::*;

fn main() -> Result<(), Error> {
    let target = guide::Target::from_env();
    let config = target.config()?;
    let client = BlockingClient::new(config.clone());
    let links = client.api().intake().links();

    // 1. The workspace creates a link (mock only: against the API this guide only reads).
    let created = match target.mock() {
        Some(_) => {
            let link = links
                .create(
                    CreateLinkRequest::new("acme-clinic")
                        .display_name("Acme Clinic intake")
                        .max_uploads(10)
                        .expires_in_hours(72),
                )
                .send()?;
            println!(
                "1. created link {} ({:?}), share {}",
                link.id, link.status, link.upload_url
            );
            Some(link)
        }
        None => None,
    };

    // 2. Every link of the workspace.
    let all = links.list().send()?;
    println!("2. {} link(s) in the workspace", all.len());
    for link in &all {
        println!(
            "   {} {:?}: {}/{} uploads",
            link.id, link.status, link.upload_count, link.max_uploads
        );
    }

    // 3. The person filling the form: a client without credentials, for the public routes.
    if let Some(link) = &created {
        let public = BlockingClient::new(Config::public(config.base_url())?);
        let upload = public.api().intake().upload();
        let info = upload.get_link_info(&link.link_token).send()?;
        println!(
            "3. form for {:?}, files up to {} bytes",
            info.display_name, info.max_upload_bytes
        );
        for (name, text) in [
            (
                "referral.txt",
                "Referral for Jane Doe, follow-up in two weeks.",
            ),
            ("insurance.txt", "Member ID ABC123, group GRP456."),
        ] {
            let sent = upload
                .upload_file(
                    &link.link_token,
                    name,
                    "text/plain",
                    text.as_bytes().to_vec(),
                    "text/plain",
                )
                .send()?;
            println!(
                "   sent {} ({} bytes, sha256 {}…)",
                sent.filename,
                sent.size_bytes,
                sent.sha256.chars().take(12).collect::<String>()
            );
        }
    }

    // 4. Read the submissions of the first link: the list, then one file's bytes.
    let Some(first) = created.as_ref().or(all.first()) else {
        println!("no links yet: nothing to read");
        return Ok(());
    };
    let submissions = links.list_uploads(&first.id).send()?;
    println!(
        "4. {} submission(s) on link {}",
        submissions.len(),
        first.id
    );
    if let Some(upload) = submissions.first() {
        let file = links.download_upload(&first.id, &upload.id).send()?;
        println!(
            "   {} ({}): {:?}",
            upload.filename,
            file.content_type.as_deref().unwrap_or("?"),
            String::from_utf8_lossy(&file.bytes)
        );
    }

    // 5. Revoke the link: later uploads are refused.
    if let Some(link) = &created {
        links.delete(&link.id).send()?;
        let public = BlockingClient::new(Config::public(config.base_url())?);
        let refused = public
            .api()
            .intake()
            .upload()
            .upload_file(
                &link.link_token,
                "late.txt",
                "text/plain",
                b"late".to_vec(),
                "text/plain",
            )
            .send();
        match refused {
            Err(e) => println!(
                "5. revoked; a late upload gets {:?} {}",
                e.status(),
                e.message()
            ),
            Ok(_) => println!("5. revoked, yet the late upload was accepted"),
        }
    }
    Ok(())
}
