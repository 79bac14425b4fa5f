//! Build a scribe: read the workspace's scribe settings, send a recording to be transcribed,
//! then review an encounter's documentation (approve and reject ICD-10 codes, edit a SOAP
//! section) and finalize it, printing the encounter the API returns.
//!
//! The transcription is a multipart upload sent with the low-level helper
//! (`client.post(..).body(Body::Multipart(..))`), which takes any parts you build.
//!
//! Without `AMIGO_API_KEY` it runs the whole flow against the embedded mock on 127.0.0.1
//! (which does not listen to the audio: its transcript names the upload's size). With
//! `AMIGO_API_KEY` and `AMIGO_WORKSPACE_ID` set it reads the settings; add `AMIGO_SERVICE_ID`
//! (a scribe service) and `SCRIBE_AUDIO` (a file path) to transcribe, and
//! `SCRIBE_ENCOUNTER_ID` to review and finalize that encounter.
//!
//! Run: `cargo run --example build_a_scribe`

#[path = "guide/mod.rs"]
mod guide;

use amigo_platform::api::models::{ApproveIcd10Request, EditSoapRequest, RejectIcd10Request};
use amigo_platform::core::{Body, Multipart, RawData};
use amigo_platform::prelude::*;

/// A short silent WAV header plus samples: enough bytes to stand for a recording.
fn demo_audio() -> Vec<u8> {
    let mut wav = b"RIFF\x24\x08\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x80\x3e\0\0\0\x7d\0\0\x02\0\x10\0data\0\x08\0\0".to_vec();
    wav.resize(wav.len() + 2048, 0);
    wav
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn main() -> Result<(), Error> {
    let target = guide::Target::from_env();
    let client = BlockingClient::new(target.config()?);
    let mock = target.mock().is_some();

    // 1. Is scribe on, and who may use it?
    let settings = client.api().settings().scribe().get().send()?;
    println!(
        "1. scribe enabled: {}, {} authorized clinician(s)",
        settings.enabled,
        settings.authorized_clinicians.len()
    );

    // 2. Transcribe a recording: the audio as a file part, the service as a text part.
    let recording = match (mock, env("AMIGO_SERVICE_ID"), env("SCRIBE_AUDIO")) {
        (true, _, _) => Some((
            "5e000000-0000-4000-8000-000000000001".to_owned(),
            demo_audio(),
        )),
        (false, Some(service_id), Some(path)) => {
            let audio = std::fs::read(&path)
                .map_err(|e| Error::config(format!("cannot read {path}: {e}")))?;
            Some((service_id, audio))
        }
        _ => None,
    };
    match recording {
        Some((service_id, audio)) => {
            let parts = Multipart::new()
                .file("audio", "visit.wav", "audio/wav", audio)
                .text("service_id", service_id)
                .text("language", "en");
            let answer = client
                .post("/v1/{workspace_id}/scribe/recordings/transcribe")
                .body(Body::Multipart(parts))
                .send()?;
            if let RawData::Json(t) = answer {
                println!(
                    "2. transcript ({} via {}): {}",
                    t["language"], t["model"], t["transcript"]
                );
            }
        }
        None => println!("2. transcription skipped (set AMIGO_SERVICE_ID and SCRIBE_AUDIO)"),
    }

    // 3. Review an encounter: codes, one SOAP section, then finalize.
    let encounter = if mock {
        Some("enc-demo-1".to_owned())
    } else {
        env("SCRIBE_ENCOUNTER_ID")
    };
    let Some(encounter) = encounter else {
        println!("3. review skipped (set SCRIBE_ENCOUNTER_ID)");
        return Ok(());
    };
    let scribe = client.api().scribe();
    scribe
        .approve_icd10(&encounter, ApproveIcd10Request::new("J06.9"))
        .send()?;
    scribe
        .reject_icd10(
            &encounter,
            RejectIcd10Request::new("Z87.09").reason("No relevant history"),
        )
        .send()?;
    scribe
        .edit_soap(
            &encounter,
            EditSoapRequest::new("Supportive care; follow up in 7 days if worse.", "plan"),
        )
        .send()?;
    println!("3. reviewed {encounter}: approved J06.9, rejected Z87.09, edited the plan");

    // 4. Finalize, and read the result.
    let finalized = scribe.finalize_encounter(&encounter).send()?;
    println!("4. finalized:");
    for (key, value) in &finalized {
        println!("   {key}: {value}");
    }
    Ok(())
}
