//! Surfaces (forms sent to a patient): create one with its fields, deliver it, fill it in
//! through the public `/s/{token}` routes as the patient would, follow the progress, submit,
//! and approve it from the review queue.
//!
//! The patient's side needs no API key (the token is the credential): it uses a client
//! built with `Config::public(base_url)`.
//!
//! Without `AMIGO_API_KEY` it runs the whole flow against the embedded mock on 127.0.0.1.
//! With `AMIGO_API_KEY` and `AMIGO_WORKSPACE_ID` set it lists the workspace's surfaces and
//! the review queue (read-only: no surface is created or sent).
//!
//! Run: `cargo run --example surfaces`

#[path = "guide/mod.rs"]
mod guide;

use amigo_platform::api::models::{
    CreateSurfaceRequest, DeliverSurfaceRequest, FieldSaveRequest, FieldType, SurfaceField,
};
use amigo_platform::prelude::*;

fn main() -> Result<(), Error> {
    let target = guide::Target::from_env();
    let config = target.config()?;
    let client = BlockingClient::new(config.clone());
    let surfaces = client.api().surfaces();

    if target.mock().is_some() {
        // 1. A form with a required name, a date of birth and a visit reason.
        let fields = vec![
            SurfaceField::new(FieldType::Text, "full_name", "Full name").required(true),
            SurfaceField::new(FieldType::Date, "date_of_birth", "Date of birth").required(true),
            SurfaceField::new(FieldType::Select, "reason", "Reason for visit")
                .options(vec!["Annual physical".to_owned(), "Follow-up".to_owned()]),
        ];
        let patient_entity = "e0000000-0000-4000-8000-000000000001";
        let created = surfaces
            .create(
                CreateSurfaceRequest::new(patient_entity, fields, "New patient intake")
                    .description("Please complete this before your visit.")
                    .expires_in_hours(72),
            )
            .send()?;
        let token = created.token.clone().unwrap_or_default();
        println!(
            "1. created surface {} ({:?}, {} fields)",
            created.id, created.status, created.fields_count
        );

        // 2. Send it by SMS.
        let sent = surfaces
            .deliver(&created.id, DeliverSurfaceRequest::new("+15551234567"))
            .send()?;
        println!(
            "2. delivered to {}: {:?}",
            sent.channel_address, sent.status
        );

        // 3. The patient: read the form, save answers one by one, submit.
        let public = BlockingClient::new(Config::public(config.base_url())?);
        let patient = public.api().surface_patient();
        let spec = patient.get_spec(&token).send()?;
        let form = &spec.spec;
        println!(
            "3. patient opens {:?} with {} fields",
            form.title.as_deref().unwrap_or("-"),
            form.fields.as_ref().map_or(0, Vec::len)
        );
        patient
            .save_field(
                &token,
                "full_name",
                FieldSaveRequest::new("Jane Doe".into()),
            )
            .send()?;
        match patient.submit(&token).send() {
            Err(e) if e.is_validation() => println!("   early submit refused: {}", e.message()),
            other => println!("   early submit: {:?}", other.map(|_| ())),
        }
        let progress = surfaces.get_progress(&created.id).send()?;
        println!(
            "   progress: {}/{} filled, required still empty: {:?}",
            progress.filled_count, progress.total_fields, progress.required_empty_keys
        );
        patient
            .save_field(
                &token,
                "date_of_birth",
                FieldSaveRequest::new("1985-03-15".into()),
            )
            .send()?;
        patient.submit(&token).send()?;
        println!("   submitted");

        // 4. Review: the queue, then approve.
        let queue = surfaces.list_for_review().send()?;
        println!("4. {} surface(s) waiting for review", queue.items.len());
        let review = surfaces.approve(&created.id).send()?;
        println!("   {:?}: now {:?}", review.action, review.status);
    }

    // 5. Every surface of the workspace, page by page.
    let mut count = 0;
    for surface in surfaces.list().auto_paging() {
        let surface = surface?;
        count += 1;
        if count <= 3 {
            println!(
                "5. {} {:?} ({} fields)",
                surface.id, surface.status, surface.fields_count
            );
        }
    }
    println!("{count} surface(s) in the workspace");
    Ok(())
}
