//! Every method name of `surface.tsv` (and its `_auto_paging` twin where the row pages) is
//! callable on the blocking and the async client: each namespace is reached through
//! `client.api()` and each method is named on it. Written by `xtask/scripts/gen_surface_names.py` from
//! the surface table (`surface.tsv`) and the generated namespaces; compiling this file is the test (a
//! renamed or missing method fails the build) and the counts are asserted at run time.

use amigo_platform_api::models as m;
use amigo_platform_api::namespaces as ns;
use amigo_platform_api::ApiExt;
use amigo_platform_core::{Client, Config, Transport};

/// Reaches every namespace from the client.
fn reach_every_namespace<E: Transport>(c: &Client<E>) -> usize {
    let mut n = 0;
    let _ = c.api().actions();
    n += 1;
    let _ = c.api().agents();
    n += 1;
    let _ = c.api().analytics();
    n += 1;
    let _ = c.api().analytics().surfaces();
    n += 1;
    let _ = c.api().api_keys();
    n += 1;
    let _ = c.api().audit();
    n += 1;
    let _ = c.api().billing();
    n += 1;
    let _ = c.api().billing().customers();
    n += 1;
    let _ = c.api().briefs();
    n += 1;
    let _ = c.api().calls();
    n += 1;
    let _ = c.api().causal();
    n += 1;
    let _ = c.api().channels();
    n += 1;
    let _ = c.api().channels().ses_setup();
    n += 1;
    let _ = c.api().command_center();
    n += 1;
    let _ = c.api().compliance();
    n += 1;
    let _ = c.api().context_graphs();
    n += 1;
    let _ = c.api().conversations();
    n += 1;
    let _ = c.api().crm();
    n += 1;
    let _ = c.api().crm().companies();
    n += 1;
    let _ = c.api().crm().contacts();
    n += 1;
    let _ = c.api().crm().deals();
    n += 1;
    let _ = c.api().dashboards();
    n += 1;
    let _ = c.api().data_query();
    n += 1;
    let _ = c.api().data_sources();
    n += 1;
    let _ = c.api().demo_pulse();
    n += 1;
    let _ = c.api().desktop_sessions();
    n += 1;
    let _ = c.api().epidemiology();
    n += 1;
    let _ = c.api().events();
    n += 1;
    let _ = c.api().fhir();
    n += 1;
    let _ = c.api().fhir().resources();
    n += 1;
    let _ = c.api().fhir().views();
    n += 1;
    let _ = c.api().functions();
    n += 1;
    let _ = c.api().inbound_webhooks();
    n += 1;
    let _ = c.api().insights();
    n += 1;
    let _ = c.api().insights().sessions();
    n += 1;
    let _ = c.api().intake();
    n += 1;
    let _ = c.api().intake().links();
    n += 1;
    let _ = c.api().intake().upload();
    n += 1;
    let _ = c.api().integrations();
    n += 1;
    let _ = c.api().m42();
    n += 1;
    let _ = c.api().me();
    n += 1;
    let _ = c.api().memory();
    n += 1;
    let _ = c.api().metering();
    n += 1;
    let _ = c.api().metrics();
    n += 1;
    let _ = c.api().monitor_concepts();
    n += 1;
    let _ = c.api().network();
    n += 1;
    let _ = c.api().operators();
    n += 1;
    let _ = c.api().personas();
    n += 1;
    let _ = c.api().phone_numbers();
    n += 1;
    let _ = c.api().pipeline();
    n += 1;
    let _ = c.api().pipeline().outbound();
    n += 1;
    let _ = c.api().pipeline().sources();
    n += 1;
    let _ = c.api().prompt_logs();
    n += 1;
    let _ = c.api().recordings();
    n += 1;
    let _ = c.api().review_queue();
    n += 1;
    let _ = c.api().safety();
    n += 1;
    let _ = c.api().scheduling_rule_sets();
    n += 1;
    let _ = c.api().scribe();
    n += 1;
    let _ = c.api().sensorium();
    n += 1;
    let _ = c.api().services();
    n += 1;
    let _ = c.api().sessions();
    n += 1;
    let _ = c.api().settings();
    n += 1;
    let _ = c.api().settings().behaviors();
    n += 1;
    let _ = c.api().settings().branding();
    n += 1;
    let _ = c.api().settings().connectors();
    n += 1;
    let _ = c.api().settings().environments();
    n += 1;
    let _ = c.api().settings().form_templates();
    n += 1;
    let _ = c.api().settings().gap_scanner();
    n += 1;
    let _ = c.api().settings().memory();
    n += 1;
    let _ = c.api().settings().metrics();
    n += 1;
    let _ = c.api().settings().outreach();
    n += 1;
    let _ = c.api().settings().retention();
    n += 1;
    let _ = c.api().settings().scribe();
    n += 1;
    let _ = c.api().settings().security();
    n += 1;
    let _ = c.api().settings().voice();
    n += 1;
    let _ = c.api().settings().workflows();
    n += 1;
    let _ = c.api().simulations();
    n += 1;
    let _ = c.api().simulations().benchmarks();
    n += 1;
    let _ = c.api().simulations().branches();
    n += 1;
    let _ = c.api().simulations().bridge();
    n += 1;
    let _ = c.api().simulations().cases();
    n += 1;
    let _ = c.api().simulations().runs();
    n += 1;
    let _ = c.api().simulations().services();
    n += 1;
    let _ = c.api().skills();
    n += 1;
    let _ = c.api().surface_patient();
    n += 1;
    let _ = c.api().surfaces();
    n += 1;
    let _ = c.api().tasks();
    n += 1;
    let _ = c.api().tools();
    n += 1;
    let _ = c.api().triggers();
    n += 1;
    let _ = c.api().twilio();
    n += 1;
    let _ = c.api().unification_rules();
    n += 1;
    let _ = c.api().use_cases();
    n += 1;
    let _ = c.api().voicemail();
    n += 1;
    let _ = c.api().voiceprints();
    n += 1;
    let _ = c.api().webhook_destinations();
    n += 1;
    let _ = c.api().workspaces();
    n += 1;
    let _ = c.api().workspaces().test_caller_numbers();
    n += 1;
    let _ = c.api().world();
    n += 1;
    let _ = c.api().world().enrichment_keys();
    n += 1;
    n
}

/// Names every method of every row of surface.tsv.
fn name_every_method<E: Transport>() -> usize {
    let mut n = 0;
    let _: fn(&ns::Workspaces<'static, E>) -> _ = ns::Workspaces::list; // workspaces
    n += 1;
    let _: fn(&ns::Workspaces<'static, E>) -> _ = ns::Workspaces::list_auto_paging; // workspaces
    n += 1;
    let _: fn(&ns::Workspaces<'static, E>, Option<&str>) -> _ = ns::Workspaces::get; // workspaces
    n += 1;
    let _: fn(&ns::Workspaces<'static, E>, Option<&str>, m::UpdateWorkspaceRequest) -> _ =
        ns::Workspaces::update; // workspaces
    n += 1;
    let _: fn(&ns::Workspaces<'static, E>, Option<&str>, m::ArchiveWorkspaceRequest) -> _ =
        ns::Workspaces::archive; // workspaces
    n += 1;
    let _: fn(&ns::Workspaces<'static, E>, Option<&str>) -> _ = ns::Workspaces::provision; // workspaces
    n += 1;
    let _: fn(&ns::Workspaces<'static, E>, Option<&str>) -> _ = ns::Workspaces::check_environment; // workspaces
    n += 1;
    let _: fn(&ns::Workspaces<'static, E>, Option<&str>, m::ConvertEnvironmentRequest) -> _ =
        ns::Workspaces::convert_environment; // workspaces
    n += 1;
    let _: fn(&ns::WorkspacesTestCallerNumbers<'static, E>) -> _ =
        ns::WorkspacesTestCallerNumbers::get; // workspaces.test_caller_numbers
    n += 1;
    let _: fn(&ns::WorkspacesTestCallerNumbers<'static, E>, m::TestCallerNumbersRequest) -> _ =
        ns::WorkspacesTestCallerNumbers::update; // workspaces.test_caller_numbers
    n += 1;
    let _: fn(&ns::Me<'static, E>, m::CreateWorkspaceRequest) -> _ = ns::Me::create_workspace; // me
    n += 1;
    let _: fn(&ns::ApiKeys<'static, E>) -> _ = ns::ApiKeys::me; // api_keys
    n += 1;
    let _: fn(&ns::ApiKeys<'static, E>, m::CreateApiKeyRequest) -> _ = ns::ApiKeys::create; // api_keys
    n += 1;
    let _: fn(&ns::ApiKeys<'static, E>) -> _ = ns::ApiKeys::list; // api_keys
    n += 1;
    let _: fn(&ns::ApiKeys<'static, E>) -> _ = ns::ApiKeys::list_auto_paging; // api_keys
    n += 1;
    let _: fn(&ns::ApiKeys<'static, E>, String) -> _ = ns::ApiKeys::revoke; // api_keys
    n += 1;
    let _: fn(&ns::ApiKeys<'static, E>, String, m::RotateApiKeyRequest) -> _ = ns::ApiKeys::rotate; // api_keys
    n += 1;
    let _: fn(&ns::Agents<'static, E>, m::CreateAgentRequest) -> _ = ns::Agents::create; // agents
    n += 1;
    let _: fn(&ns::Agents<'static, E>) -> _ = ns::Agents::list; // agents
    n += 1;
    let _: fn(&ns::Agents<'static, E>) -> _ = ns::Agents::list_auto_paging; // agents
    n += 1;
    let _: fn(&ns::Agents<'static, E>, String) -> _ = ns::Agents::get; // agents
    n += 1;
    let _: fn(&ns::Agents<'static, E>, String, m::UpdateAgentRequest) -> _ = ns::Agents::update; // agents
    n += 1;
    let _: fn(&ns::Agents<'static, E>, String) -> _ = ns::Agents::delete; // agents
    n += 1;
    let _: fn(&ns::Agents<'static, E>, String) -> _ = ns::Agents::list_versions; // agents
    n += 1;
    let _: fn(&ns::Agents<'static, E>, String) -> _ = ns::Agents::list_versions_auto_paging; // agents
    n += 1;
    let _: fn(&ns::Agents<'static, E>, String, m::IntOrString) -> _ = ns::Agents::get_version; // agents
    n += 1;
    let _: fn(&ns::Agents<'static, E>, String, m::CreateAgentVersionRequest) -> _ =
        ns::Agents::create_version; // agents
    n += 1;
    let _: fn(&ns::Skills<'static, E>, m::CreateSkillRequest) -> _ = ns::Skills::create; // skills
    n += 1;
    let _: fn(&ns::Skills<'static, E>) -> _ = ns::Skills::list; // skills
    n += 1;
    let _: fn(&ns::Skills<'static, E>) -> _ = ns::Skills::list_auto_paging; // skills
    n += 1;
    let _: fn(&ns::Skills<'static, E>, String) -> _ = ns::Skills::get; // skills
    n += 1;
    let _: fn(&ns::Skills<'static, E>, String, m::UpdateSkillRequest) -> _ = ns::Skills::update; // skills
    n += 1;
    let _: fn(&ns::Skills<'static, E>, String) -> _ = ns::Skills::delete; // skills
    n += 1;
    let _: fn(&ns::Skills<'static, E>, String, m::TestSkillRequest) -> _ = ns::Skills::test; // skills
    n += 1;
    let _: fn(&ns::Actions<'static, E>, m::CreateSkillRequest) -> _ = ns::Actions::create; // actions
    n += 1;
    let _: fn(&ns::Actions<'static, E>) -> _ = ns::Actions::list; // actions
    n += 1;
    let _: fn(&ns::Actions<'static, E>) -> _ = ns::Actions::list_auto_paging; // actions
    n += 1;
    let _: fn(&ns::Actions<'static, E>, String) -> _ = ns::Actions::get; // actions
    n += 1;
    let _: fn(&ns::Actions<'static, E>, String, m::UpdateSkillRequest) -> _ = ns::Actions::update; // actions
    n += 1;
    let _: fn(&ns::Actions<'static, E>, String) -> _ = ns::Actions::delete; // actions
    n += 1;
    let _: fn(&ns::Actions<'static, E>, String) -> _ = ns::Actions::get_references; // actions
    n += 1;
    let _: fn(&ns::Actions<'static, E>, String, m::TestSkillRequest) -> _ = ns::Actions::test; // actions
    n += 1;
    let _: fn(&ns::Operators<'static, E>) -> _ = ns::Operators::list; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>) -> _ = ns::Operators::list_auto_paging; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>, m::CreateOperatorRequest) -> _ = ns::Operators::create; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>, String) -> _ = ns::Operators::get; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>, String, m::UpdateOperatorRequest) -> _ =
        ns::Operators::update; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>) -> _ = ns::Operators::get_dashboard; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>) -> _ = ns::Operators::get_queue; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>) -> _ = ns::Operators::get_escalations; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>) -> _ = ns::Operators::get_escalations_auto_paging; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>) -> _ = ns::Operators::get_active_escalations; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>) -> _ = ns::Operators::get_active_escalations_auto_paging; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>) -> _ = ns::Operators::get_escalation_stats; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>) -> _ = ns::Operators::get_performance; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>, String, m::AccessTokenRequest) -> _ =
        ns::Operators::get_access_token; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>, String, m::JoinCallRequest) -> _ =
        ns::Operators::join_call; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>, String, m::LeaveCallRequest) -> _ =
        ns::Operators::leave_call; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>, String, m::SwitchModeRequest) -> _ =
        ns::Operators::switch_mode; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>, String, m::SendGuidanceRequest) -> _ =
        ns::Operators::send_guidance; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>, String, m::BriefingRequest) -> _ =
        ns::Operators::create_briefing; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>, String, m::WrapUpRequest) -> _ = ns::Operators::wrap_up; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>, String) -> _ = ns::Operators::get_call_transcript; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>) -> _ = ns::Operators::get_audit_log; // operators
    n += 1;
    let _: fn(&ns::Operators<'static, E>) -> _ = ns::Operators::get_audit_log_auto_paging; // operators
    n += 1;
    let _: fn(&ns::PromptLogs<'static, E>) -> _ = ns::PromptLogs::list; // prompt_logs
    n += 1;
    let _: fn(&ns::PromptLogs<'static, E>) -> _ = ns::PromptLogs::list_auto_paging; // prompt_logs
    n += 1;
    let _: fn(&ns::Triggers<'static, E>) -> _ = ns::Triggers::list; // triggers
    n += 1;
    let _: fn(&ns::Triggers<'static, E>) -> _ = ns::Triggers::list_auto_paging; // triggers
    n += 1;
    let _: fn(&ns::Triggers<'static, E>, m::CreateTriggerRequest) -> _ = ns::Triggers::create; // triggers
    n += 1;
    let _: fn(&ns::Triggers<'static, E>, String) -> _ = ns::Triggers::get; // triggers
    n += 1;
    let _: fn(&ns::Triggers<'static, E>, String, m::UpdateTriggerRequest) -> _ =
        ns::Triggers::update; // triggers
    n += 1;
    let _: fn(&ns::Triggers<'static, E>, String) -> _ = ns::Triggers::delete; // triggers
    n += 1;
    let _: fn(&ns::Triggers<'static, E>, String) -> _ = ns::Triggers::fire; // triggers
    n += 1;
    let _: fn(&ns::Triggers<'static, E>, String) -> _ = ns::Triggers::pause; // triggers
    n += 1;
    let _: fn(&ns::Triggers<'static, E>, String) -> _ = ns::Triggers::resume; // triggers
    n += 1;
    let _: fn(&ns::Triggers<'static, E>, String) -> _ = ns::Triggers::list_runs; // triggers
    n += 1;
    let _: fn(&ns::Triggers<'static, E>, String) -> _ = ns::Triggers::list_runs_auto_paging; // triggers
    n += 1;
    let _: fn(&ns::Services<'static, E>, m::CreateServiceRequest) -> _ = ns::Services::create; // services
    n += 1;
    let _: fn(&ns::Services<'static, E>) -> _ = ns::Services::list; // services
    n += 1;
    let _: fn(&ns::Services<'static, E>) -> _ = ns::Services::list_auto_paging; // services
    n += 1;
    let _: fn(&ns::Services<'static, E>, String) -> _ = ns::Services::get; // services
    n += 1;
    let _: fn(&ns::Services<'static, E>, String, m::UpdateServiceRequest) -> _ =
        ns::Services::update; // services
    n += 1;
    let _: fn(&ns::Services<'static, E>, String) -> _ = ns::Services::delete; // services
    n += 1;
    let _: fn(&ns::ContextGraphs<'static, E>, m::CreateContextGraphRequest) -> _ =
        ns::ContextGraphs::create; // context_graphs
    n += 1;
    let _: fn(&ns::ContextGraphs<'static, E>) -> _ = ns::ContextGraphs::list; // context_graphs
    n += 1;
    let _: fn(&ns::ContextGraphs<'static, E>) -> _ = ns::ContextGraphs::list_auto_paging; // context_graphs
    n += 1;
    let _: fn(&ns::ContextGraphs<'static, E>, String) -> _ = ns::ContextGraphs::get; // context_graphs
    n += 1;
    let _: fn(&ns::ContextGraphs<'static, E>, String, m::UpdateContextGraphRequest) -> _ =
        ns::ContextGraphs::update; // context_graphs
    n += 1;
    let _: fn(&ns::ContextGraphs<'static, E>, String) -> _ = ns::ContextGraphs::delete; // context_graphs
    n += 1;
    let _: fn(&ns::ContextGraphs<'static, E>, String, m::CreateContextGraphVersionRequest) -> _ =
        ns::ContextGraphs::create_version; // context_graphs
    n += 1;
    let _: fn(&ns::ContextGraphs<'static, E>, String) -> _ = ns::ContextGraphs::list_versions; // context_graphs
    n += 1;
    let _: fn(&ns::ContextGraphs<'static, E>, String) -> _ =
        ns::ContextGraphs::list_versions_auto_paging; // context_graphs
    n += 1;
    let _: fn(&ns::ContextGraphs<'static, E>, String, m::IntOrString) -> _ =
        ns::ContextGraphs::get_version; // context_graphs
    n += 1;
    let _: fn(&ns::DataSources<'static, E>, m::CreateDataSourceRequest) -> _ =
        ns::DataSources::create; // data_sources
    n += 1;
    let _: fn(&ns::DataSources<'static, E>) -> _ = ns::DataSources::list; // data_sources
    n += 1;
    let _: fn(&ns::DataSources<'static, E>) -> _ = ns::DataSources::list_auto_paging; // data_sources
    n += 1;
    let _: fn(&ns::DataSources<'static, E>, String) -> _ = ns::DataSources::get; // data_sources
    n += 1;
    let _: fn(&ns::DataSources<'static, E>, String, m::UpdateDataSourceRequest) -> _ =
        ns::DataSources::update; // data_sources
    n += 1;
    let _: fn(&ns::DataSources<'static, E>, String) -> _ = ns::DataSources::delete; // data_sources
    n += 1;
    let _: fn(&ns::DataSources<'static, E>, String) -> _ = ns::DataSources::get_status; // data_sources
    n += 1;
    let _: fn(&ns::DataSources<'static, E>, String) -> _ = ns::DataSources::get_sync_history; // data_sources
    n += 1;
    let _: fn(&ns::DataSources<'static, E>, String) -> _ = ns::DataSources::trigger_sync; // data_sources
    n += 1;
    let _: fn(&ns::World<'static, E>) -> _ = ns::World::list_entities; // world
    n += 1;
    let _: fn(&ns::World<'static, E>) -> _ = ns::World::list_entities_auto_paging; // world
    n += 1;
    let _: fn(&ns::World<'static, E>, String) -> _ = ns::World::get_entity; // world
    n += 1;
    let _: fn(&ns::World<'static, E>, String) -> _ = ns::World::get_relationships; // world
    n += 1;
    let _: fn(&ns::World<'static, E>, String) -> _ = ns::World::get_graph; // world
    n += 1;
    let _: fn(&ns::World<'static, E>, String) -> _ = ns::World::get_provenance; // world
    n += 1;
    let _: fn(&ns::World<'static, E>, String) -> _ = ns::World::get_lineage; // world
    n += 1;
    let _: fn(&ns::World<'static, E>, String) -> _ = ns::World::get_merged; // world
    n += 1;
    let _: fn(&ns::World<'static, E>) -> _ = ns::World::get_connectors; // world
    n += 1;
    let _: fn(&ns::World<'static, E>, String) -> _ = ns::World::get_connector_entities; // world
    n += 1;
    let _: fn(&ns::World<'static, E>, String) -> _ = ns::World::get_connector_entities_auto_paging; // world
    n += 1;
    let _: fn(&ns::World<'static, E>, String, String) -> _ = ns::World::get_connector_resources; // world
    n += 1;
    let _: fn(&ns::World<'static, E>) -> _ = ns::World::list_entity_types; // world
    n += 1;
    let _: fn(&ns::World<'static, E>) -> _ = ns::World::list_duplicates; // world
    n += 1;
    let _: fn(&ns::World<'static, E>, String) -> _ = ns::World::search; // world
    n += 1;
    let _: fn(&ns::World<'static, E>, String) -> _ = ns::World::get_timeline; // world
    n += 1;
    let _: fn(&ns::World<'static, E>, String) -> _ = ns::World::get_timeline_auto_paging; // world
    n += 1;
    let _: fn(&ns::World<'static, E>) -> _ = ns::World::get_sync_status_by_sink; // world
    n += 1;
    let _: fn(&ns::World<'static, E>, m::WorldSyncEventsStatus) -> _ = ns::World::list_sync_events; // world
    n += 1;
    let _: fn(&ns::World<'static, E>, m::WorldSyncEventsStatus) -> _ =
        ns::World::list_sync_events_auto_paging; // world
    n += 1;
    let _: fn(&ns::World<'static, E>) -> _ = ns::World::get_sync_queue_depth; // world
    n += 1;
    let _: fn(&ns::World<'static, E>, String) -> _ = ns::World::retry_sync_event; // world
    n += 1;
    let _: fn(&ns::World<'static, E>) -> _ = ns::World::retry_all_sync_events; // world
    n += 1;
    let _: fn(&ns::World<'static, E>) -> _ = ns::World::get_stats; // world
    n += 1;
    let _: fn(&ns::World<'static, E>) -> _ = ns::World::get_source_breakdown; // world
    n += 1;
    let _: fn(&ns::Calls<'static, E>) -> _ = ns::Calls::list; // calls
    n += 1;
    let _: fn(&ns::Calls<'static, E>) -> _ = ns::Calls::list_auto_paging; // calls
    n += 1;
    let _: fn(&ns::Calls<'static, E>, String) -> _ = ns::Calls::get; // calls
    n += 1;
    let _: fn(&ns::Calls<'static, E>, String) -> _ = ns::Calls::get_timeline; // calls
    n += 1;
    let _: fn(&ns::Calls<'static, E>, String) -> _ = ns::Calls::get_intelligence; // calls
    n += 1;
    let _: fn(&ns::Calls<'static, E>) -> _ = ns::Calls::get_active_intelligence; // calls
    n += 1;
    let _: fn(&ns::Calls<'static, E>) -> _ = ns::Calls::get_benchmarks; // calls
    n += 1;
    let _: fn(&ns::Calls<'static, E>) -> _ = ns::Calls::get_phone_volume; // calls
    n += 1;
    let _: fn(&ns::Calls<'static, E>, String) -> _ = ns::Calls::get_trace_analysis; // calls
    n += 1;
    let _: fn(&ns::Calls<'static, E>) -> _ = ns::Calls::list_traces; // calls
    n += 1;
    let _: fn(&ns::Calls<'static, E>) -> _ = ns::Calls::list_traces_auto_paging; // calls
    n += 1;
    let _: fn(&ns::Calls<'static, E>, String) -> _ = ns::Calls::get_metrics; // calls
    n += 1;
    let _: fn(&ns::Calls<'static, E>, m::CreateOutboundCallRequest) -> _ =
        ns::Calls::create_outbound; // calls
    n += 1;
    let _: fn(&ns::Conversations<'static, E>) -> _ = ns::Conversations::list; // conversations
    n += 1;
    let _: fn(&ns::Conversations<'static, E>) -> _ = ns::Conversations::list_auto_paging; // conversations
    n += 1;
    let _: fn(&ns::Conversations<'static, E>, m::CreateConversationRequest) -> _ =
        ns::Conversations::create; // conversations
    n += 1;
    let _: fn(&ns::Conversations<'static, E>, String) -> _ = ns::Conversations::get; // conversations
    n += 1;
    let _: fn(&ns::Conversations<'static, E>, String) -> _ = ns::Conversations::close; // conversations
    n += 1;
    let _: fn(&ns::Conversations<'static, E>, String, m::TurnRequest) -> _ =
        ns::Conversations::create_turn; // conversations
    n += 1;
    let _: fn(&ns::Conversations<'static, E>, String, m::TurnRequest) -> _ =
        ns::Conversations::create_turn_stream; // conversations
    n += 1;
    let _: fn(&ns::Conversations<'static, E>, String, m::TurnRequest) -> _ =
        ns::Conversations::stream_turn; // conversations
    n += 1;
    let _: fn(&ns::ChannelsSesSetup<'static, E>, m::CreateSesSetupRequest) -> _ =
        ns::ChannelsSesSetup::create; // channels.ses_setup
    n += 1;
    let _: fn(&ns::ChannelsSesSetup<'static, E>) -> _ = ns::ChannelsSesSetup::list; // channels.ses_setup
    n += 1;
    let _: fn(&ns::ChannelsSesSetup<'static, E>) -> _ = ns::ChannelsSesSetup::list_auto_paging; // channels.ses_setup
    n += 1;
    let _: fn(&ns::ChannelsSesSetup<'static, E>, String) -> _ = ns::ChannelsSesSetup::get; // channels.ses_setup
    n += 1;
    let _: fn(&ns::ChannelsSesSetup<'static, E>, String) -> _ = ns::ChannelsSesSetup::verify; // channels.ses_setup
    n += 1;
    let _: fn(&ns::ChannelsSesSetup<'static, E>, String) -> _ = ns::ChannelsSesSetup::delete; // channels.ses_setup
    n += 1;
    let _: fn(&ns::PhoneNumbers<'static, E>, m::CreatePhoneNumberRequest) -> _ =
        ns::PhoneNumbers::provision; // phone_numbers
    n += 1;
    let _: fn(&ns::PhoneNumbers<'static, E>) -> _ = ns::PhoneNumbers::list; // phone_numbers
    n += 1;
    let _: fn(&ns::PhoneNumbers<'static, E>) -> _ = ns::PhoneNumbers::list_auto_paging; // phone_numbers
    n += 1;
    let _: fn(&ns::PhoneNumbers<'static, E>, String) -> _ = ns::PhoneNumbers::get; // phone_numbers
    n += 1;
    let _: fn(&ns::PhoneNumbers<'static, E>, String, m::UpdatePhoneNumberRequest) -> _ =
        ns::PhoneNumbers::update; // phone_numbers
    n += 1;
    let _: fn(&ns::PhoneNumbers<'static, E>, String) -> _ = ns::PhoneNumbers::release; // phone_numbers
    n += 1;
    let _: fn(&ns::PhoneNumbers<'static, E>, String, m::ForwardingConfigRequest) -> _ =
        ns::PhoneNumbers::set_forwarding; // phone_numbers
    n += 1;
    let _: fn(&ns::PhoneNumbers<'static, E>, String) -> _ = ns::PhoneNumbers::clear_forwarding; // phone_numbers
    n += 1;
    let _: fn(&ns::Integrations<'static, E>, m::CreateIntegrationRequest) -> _ =
        ns::Integrations::create; // integrations
    n += 1;
    let _: fn(&ns::Integrations<'static, E>) -> _ = ns::Integrations::list; // integrations
    n += 1;
    let _: fn(&ns::Integrations<'static, E>) -> _ = ns::Integrations::list_auto_paging; // integrations
    n += 1;
    let _: fn(&ns::Integrations<'static, E>, String) -> _ = ns::Integrations::get; // integrations
    n += 1;
    let _: fn(&ns::Integrations<'static, E>, String, m::UpdateIntegrationRequest) -> _ =
        ns::Integrations::update; // integrations
    n += 1;
    let _: fn(&ns::Integrations<'static, E>, String) -> _ = ns::Integrations::delete; // integrations
    n += 1;
    let _: fn(&ns::Integrations<'static, E>, String, String, m::TestEndpointRequest) -> _ =
        ns::Integrations::test_endpoint; // integrations
    n += 1;
    let _: fn(&ns::Integrations<'static, E>, String) -> _ = ns::Integrations::test_connection; // integrations
    n += 1;
    let _: fn(&ns::Integrations<'static, E>) -> _ = ns::Integrations::get_health_check; // integrations
    n += 1;
    let _: fn(&ns::Analytics<'static, E>) -> _ = ns::Analytics::get_dashboard; // analytics
    n += 1;
    let _: fn(&ns::Analytics<'static, E>) -> _ = ns::Analytics::get_calls; // analytics
    n += 1;
    let _: fn(&ns::Analytics<'static, E>) -> _ = ns::Analytics::get_agents; // analytics
    n += 1;
    let _: fn(&ns::Analytics<'static, E>) -> _ = ns::Analytics::get_call_quality; // analytics
    n += 1;
    let _: fn(&ns::Analytics<'static, E>) -> _ = ns::Analytics::get_emotion_trends; // analytics
    n += 1;
    let _: fn(&ns::Analytics<'static, E>) -> _ = ns::Analytics::get_latency; // analytics
    n += 1;
    let _: fn(&ns::Analytics<'static, E>) -> _ = ns::Analytics::get_tool_performance; // analytics
    n += 1;
    let _: fn(&ns::Analytics<'static, E>) -> _ = ns::Analytics::get_data_quality; // analytics
    n += 1;
    let _: fn(&ns::Analytics<'static, E>) -> _ = ns::Analytics::get_usage; // analytics
    n += 1;
    let _: fn(&ns::Analytics<'static, E>) -> _ = ns::Analytics::get_event_breakdown; // analytics
    n += 1;
    let _: fn(&ns::Analytics<'static, E>) -> _ = ns::Analytics::get_safety_trends; // analytics
    n += 1;
    let _: fn(&ns::Analytics<'static, E>) -> _ = ns::Analytics::get_operator_performance; // analytics
    n += 1;
    let _: fn(&ns::Analytics<'static, E>) -> _ = ns::Analytics::get_advanced_call_stats; // analytics
    n += 1;
    let _: fn(&ns::Analytics<'static, E>, String, String, String, String) -> _ =
        ns::Analytics::compare_call_periods; // analytics
    n += 1;
    let _: fn(&ns::AnalyticsSurfaces<'static, E>) -> _ =
        ns::AnalyticsSurfaces::get_completion_rates; // analytics.surfaces
    n += 1;
    let _: fn(&ns::AnalyticsSurfaces<'static, E>) -> _ =
        ns::AnalyticsSurfaces::get_channel_effectiveness; // analytics.surfaces
    n += 1;
    let _: fn(&ns::AnalyticsSurfaces<'static, E>) -> _ =
        ns::AnalyticsSurfaces::get_field_abandonment; // analytics.surfaces
    n += 1;
    let _: fn(&ns::AnalyticsSurfaces<'static, E>, String) -> _ =
        ns::AnalyticsSurfaces::get_for_entity; // analytics.surfaces
    n += 1;
    let _: fn(&ns::Simulations<'static, E>, m::SimulationsCreateSessionRequest) -> _ =
        ns::Simulations::create_session; // simulations
    n += 1;
    let _: fn(&ns::Simulations<'static, E>, String) -> _ = ns::Simulations::get_session; // simulations
    n += 1;
    let _: fn(&ns::Simulations<'static, E>, String) -> _ = ns::Simulations::delete_session; // simulations
    n += 1;
    let _: fn(&ns::Simulations<'static, E>, m::StepRequest) -> _ = ns::Simulations::step; // simulations
    n += 1;
    let _: fn(&ns::Simulations<'static, E>, m::RecommendRequest) -> _ = ns::Simulations::recommend; // simulations
    n += 1;
    let _: fn(&ns::Simulations<'static, E>, String) -> _ = ns::Simulations::get_intelligence; // simulations
    n += 1;
    let _: fn(&ns::SimulationsRuns<'static, E>) -> _ = ns::SimulationsRuns::list; // simulations.runs
    n += 1;
    let _: fn(&ns::SimulationsRuns<'static, E>, m::CreateRunRequest) -> _ =
        ns::SimulationsRuns::create; // simulations.runs
    n += 1;
    let _: fn(&ns::SimulationsRuns<'static, E>, String) -> _ = ns::SimulationsRuns::get; // simulations.runs
    n += 1;
    let _: fn(&ns::SimulationsRuns<'static, E>, String) -> _ = ns::SimulationsRuns::complete; // simulations.runs
    n += 1;
    let _: fn(&ns::SimulationsRuns<'static, E>, String, m::SimulationsCreateSessionRequest) -> _ =
        ns::SimulationsRuns::create_session; // simulations.runs
    n += 1;
    let _: fn(&ns::SimulationsBridge<'static, E>, m::BridgePlanRequest) -> _ =
        ns::SimulationsBridge::plan; // simulations.bridge
    n += 1;
    let _: fn(&ns::SimulationsBridge<'static, E>, m::BridgeRequest) -> _ =
        ns::SimulationsBridge::run; // simulations.bridge
    n += 1;
    let _: fn(&ns::SimulationsServices<'static, E>, String) -> _ =
        ns::SimulationsServices::get_graph; // simulations.services
    n += 1;
    let _: fn(&ns::SimulationsServices<'static, E>, String) -> _ =
        ns::SimulationsServices::delete_graph; // simulations.services
    n += 1;
    let _: fn(&ns::SimulationsServices<'static, E>, String) -> _ =
        ns::SimulationsServices::get_graph_paths; // simulations.services
    n += 1;
    let _: fn(&ns::SimulationsServices<'static, E>, String) -> _ =
        ns::SimulationsServices::list_sessions; // simulations.services
    n += 1;
    let _: fn(&ns::SimulationsServices<'static, E>, String) -> _ =
        ns::SimulationsServices::list_turns; // simulations.services
    n += 1;
    let _: fn(&ns::Metrics<'static, E>) -> _ = ns::Metrics::list_latest; // metrics
    n += 1;
    let _: fn(&ns::Metrics<'static, E>) -> _ = ns::Metrics::get_catalog; // metrics
    n += 1;
    let _: fn(&ns::Metrics<'static, E>, String) -> _ = ns::Metrics::get_values; // metrics
    n += 1;
    let _: fn(&ns::Metrics<'static, E>, String) -> _ = ns::Metrics::get_trend; // metrics
    n += 1;
    let _: fn(&ns::SettingsVoice<'static, E>) -> _ = ns::SettingsVoice::get; // settings.voice
    n += 1;
    let _: fn(&ns::SettingsVoice<'static, E>, m::VoiceSettingsRequest) -> _ =
        ns::SettingsVoice::update; // settings.voice
    n += 1;
    let _: fn(&ns::SettingsBranding<'static, E>) -> _ = ns::SettingsBranding::get; // settings.branding
    n += 1;
    let _: fn(&ns::SettingsBranding<'static, E>, m::BrandingSettingsRequest) -> _ =
        ns::SettingsBranding::update; // settings.branding
    n += 1;
    let _: fn(&ns::SettingsOutreach<'static, E>) -> _ = ns::SettingsOutreach::get; // settings.outreach
    n += 1;
    let _: fn(&ns::SettingsOutreach<'static, E>, m::OutreachSettingsRequest) -> _ =
        ns::SettingsOutreach::update; // settings.outreach
    n += 1;
    let _: fn(&ns::SettingsMemory<'static, E>) -> _ = ns::SettingsMemory::get; // settings.memory
    n += 1;
    let _: fn(&ns::SettingsMemory<'static, E>, m::MemorySettingsRequest) -> _ =
        ns::SettingsMemory::update; // settings.memory
    n += 1;
    let _: fn(&ns::SettingsSecurity<'static, E>) -> _ = ns::SettingsSecurity::get; // settings.security
    n += 1;
    let _: fn(&ns::SettingsSecurity<'static, E>, m::SecuritySettingsRequest) -> _ =
        ns::SettingsSecurity::update; // settings.security
    n += 1;
    let _: fn(&ns::SettingsRetention<'static, E>) -> _ = ns::SettingsRetention::get; // settings.retention
    n += 1;
    let _: fn(&ns::SettingsRetention<'static, E>, m::RetentionPolicyRequest) -> _ =
        ns::SettingsRetention::update; // settings.retention
    n += 1;
    let _: fn(&ns::SettingsBehaviors<'static, E>) -> _ = ns::SettingsBehaviors::get; // settings.behaviors
    n += 1;
    let _: fn(&ns::SettingsBehaviors<'static, E>, m::BehaviorSettingsRequest) -> _ =
        ns::SettingsBehaviors::update; // settings.behaviors
    n += 1;
    let _: fn(&ns::SettingsGapScanner<'static, E>) -> _ = ns::SettingsGapScanner::get; // settings.gap_scanner
    n += 1;
    let _: fn(&ns::SettingsGapScanner<'static, E>, m::GapScannerSettingsRequest) -> _ =
        ns::SettingsGapScanner::update; // settings.gap_scanner
    n += 1;
    let _: fn(&ns::SettingsGapScanner<'static, E>) -> _ = ns::SettingsGapScanner::preview; // settings.gap_scanner
    n += 1;
    let _: fn(&ns::SettingsGapScanner<'static, E>) -> _ = ns::SettingsGapScanner::scan; // settings.gap_scanner
    n += 1;
    let _: fn(&ns::SettingsScribe<'static, E>) -> _ = ns::SettingsScribe::get; // settings.scribe
    n += 1;
    let _: fn(&ns::SettingsScribe<'static, E>, m::ScribeSettingsRequest) -> _ =
        ns::SettingsScribe::update; // settings.scribe
    n += 1;
    let _: fn(&ns::SettingsMetrics<'static, E>) -> _ = ns::SettingsMetrics::get; // settings.metrics
    n += 1;
    let _: fn(&ns::SettingsMetrics<'static, E>, m::MetricSettingsRequest) -> _ =
        ns::SettingsMetrics::update; // settings.metrics
    n += 1;
    let _: fn(&ns::SettingsEnvironments<'static, E>) -> _ = ns::SettingsEnvironments::get; // settings.environments
    n += 1;
    let _: fn(&ns::SettingsEnvironments<'static, E>, m::EnvironmentSettingsRequest) -> _ =
        ns::SettingsEnvironments::update; // settings.environments
    n += 1;
    let _: fn(&ns::SettingsWorkflows<'static, E>) -> _ = ns::SettingsWorkflows::get; // settings.workflows
    n += 1;
    let _: fn(&ns::SettingsWorkflows<'static, E>, m::WorkflowSettingsRequest) -> _ =
        ns::SettingsWorkflows::update; // settings.workflows
    n += 1;
    let _: fn(&ns::Billing<'static, E>) -> _ = ns::Billing::get_dashboard; // billing
    n += 1;
    let _: fn(&ns::Billing<'static, E>) -> _ = ns::Billing::get_usage; // billing
    n += 1;
    let _: fn(&ns::Billing<'static, E>) -> _ = ns::Billing::get_usage_trends; // billing
    n += 1;
    let _: fn(&ns::Billing<'static, E>) -> _ = ns::Billing::list_invoices; // billing
    n += 1;
    let _: fn(&ns::Billing<'static, E>) -> _ = ns::Billing::list_invoices_auto_paging; // billing
    n += 1;
    let _: fn(&ns::Billing<'static, E>, String) -> _ = ns::Billing::get_invoice; // billing
    n += 1;
    let _: fn(&ns::Billing<'static, E>, String) -> _ = ns::Billing::get_invoice_pdf; // billing
    n += 1;
    let _: fn(&ns::Memory<'static, E>, String) -> _ = ns::Memory::get_entity_dimensions; // memory
    n += 1;
    let _: fn(&ns::Memory<'static, E>, String) -> _ = ns::Memory::get_entity_facts; // memory
    n += 1;
    let _: fn(&ns::Memory<'static, E>) -> _ = ns::Memory::get_analytics; // memory
    n += 1;
    let _: fn(&ns::Personas<'static, E>) -> _ = ns::Personas::list; // personas
    n += 1;
    let _: fn(&ns::Personas<'static, E>) -> _ = ns::Personas::list_auto_paging; // personas
    n += 1;
    let _: fn(&ns::Personas<'static, E>, m::CreatePersonaRequest) -> _ = ns::Personas::create; // personas
    n += 1;
    let _: fn(&ns::Personas<'static, E>, String) -> _ = ns::Personas::get; // personas
    n += 1;
    let _: fn(&ns::Personas<'static, E>, String, m::UpdatePersonaRequest) -> _ =
        ns::Personas::update; // personas
    n += 1;
    let _: fn(&ns::Personas<'static, E>, String) -> _ = ns::Personas::delete; // personas
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>) -> _ = ns::ReviewQueue::list; // review_queue
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>) -> _ = ns::ReviewQueue::list_auto_paging; // review_queue
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>, String) -> _ = ns::ReviewQueue::get; // review_queue
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>) -> _ = ns::ReviewQueue::get_stats; // review_queue
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>) -> _ = ns::ReviewQueue::get_dashboard; // review_queue
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>) -> _ = ns::ReviewQueue::get_my_queue; // review_queue
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>) -> _ = ns::ReviewQueue::get_my_queue_auto_paging; // review_queue
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>, String, m::ApproveRequest) -> _ =
        ns::ReviewQueue::approve; // review_queue
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>, String, m::RejectRequest) -> _ =
        ns::ReviewQueue::reject; // review_queue
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>, String) -> _ = ns::ReviewQueue::claim; // review_queue
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>, String) -> _ = ns::ReviewQueue::unclaim; // review_queue
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>, String, m::CorrectRequest) -> _ =
        ns::ReviewQueue::correct; // review_queue
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>, m::BatchApproveRequest) -> _ =
        ns::ReviewQueue::batch_approve; // review_queue
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>, m::BatchRejectRequest) -> _ =
        ns::ReviewQueue::batch_reject; // review_queue
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>) -> _ = ns::ReviewQueue::get_history; // review_queue
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>) -> _ = ns::ReviewQueue::get_history_auto_paging; // review_queue
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>) -> _ = ns::ReviewQueue::get_trends; // review_queue
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>) -> _ = ns::ReviewQueue::get_performance; // review_queue
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>, String) -> _ = ns::ReviewQueue::get_correction_schema; // review_queue
    n += 1;
    let _: fn(&ns::ReviewQueue<'static, E>, String) -> _ = ns::ReviewQueue::get_diff; // review_queue
    n += 1;
    let _: fn(&ns::Recordings<'static, E>, String) -> _ = ns::Recordings::get_urls; // recordings
    n += 1;
    let _: fn(&ns::Recordings<'static, E>, String) -> _ = ns::Recordings::get_metadata; // recordings
    n += 1;
    let _: fn(&ns::Recordings<'static, E>, String, String) -> _ = ns::Recordings::download; // recordings
    n += 1;
    let _: fn(&ns::Audit<'static, E>) -> _ = ns::Audit::list; // audit
    n += 1;
    let _: fn(&ns::Audit<'static, E>) -> _ = ns::Audit::list_auto_paging; // audit
    n += 1;
    let _: fn(&ns::Audit<'static, E>) -> _ = ns::Audit::get_summary; // audit
    n += 1;
    let _: fn(&ns::Audit<'static, E>) -> _ = ns::Audit::get_phi_access; // audit
    n += 1;
    let _: fn(&ns::Audit<'static, E>) -> _ = ns::Audit::get_phi_access_auto_paging; // audit
    n += 1;
    let _: fn(&ns::Audit<'static, E>, m::AuditExportRequest) -> _ = ns::Audit::create_export; // audit
    n += 1;
    let _: fn(&ns::Audit<'static, E>) -> _ = ns::Audit::list_exports; // audit
    n += 1;
    let _: fn(&ns::Audit<'static, E>, String) -> _ = ns::Audit::get_entity_access_log; // audit
    n += 1;
    let _: fn(&ns::Audit<'static, E>, String) -> _ = ns::Audit::get_entity_access_log_auto_paging; // audit
    n += 1;
    let _: fn(&ns::WebhookDestinations<'static, E>) -> _ = ns::WebhookDestinations::list; // webhook_destinations
    n += 1;
    let _: fn(&ns::WebhookDestinations<'static, E>) -> _ =
        ns::WebhookDestinations::list_auto_paging; // webhook_destinations
    n += 1;
    let _: fn(&ns::WebhookDestinations<'static, E>, m::CreateWebhookDestinationRequest) -> _ =
        ns::WebhookDestinations::create; // webhook_destinations
    n += 1;
    let _: fn(&ns::WebhookDestinations<'static, E>, String) -> _ = ns::WebhookDestinations::get; // webhook_destinations
    n += 1;
    let _: fn(
        &ns::WebhookDestinations<'static, E>,
        String,
        m::UpdateWebhookDestinationRequest,
    ) -> _ = ns::WebhookDestinations::update; // webhook_destinations
    n += 1;
    let _: fn(&ns::WebhookDestinations<'static, E>, String) -> _ = ns::WebhookDestinations::delete; // webhook_destinations
    n += 1;
    let _: fn(&ns::WebhookDestinations<'static, E>, String) -> _ =
        ns::WebhookDestinations::list_deliveries; // webhook_destinations
    n += 1;
    let _: fn(&ns::WebhookDestinations<'static, E>, String) -> _ =
        ns::WebhookDestinations::list_deliveries_auto_paging; // webhook_destinations
    n += 1;
    let _: fn(&ns::WebhookDestinations<'static, E>, String) -> _ =
        ns::WebhookDestinations::rotate_secret; // webhook_destinations
    n += 1;
    let _: fn(&ns::Safety<'static, E>) -> _ = ns::Safety::get_config; // safety
    n += 1;
    let _: fn(&ns::Safety<'static, E>, m::UpdateSafetyConfigRequest) -> _ =
        ns::Safety::update_config; // safety
    n += 1;
    let _: fn(&ns::Safety<'static, E>) -> _ = ns::Safety::list_templates; // safety
    n += 1;
    let _: fn(&ns::Safety<'static, E>, String) -> _ = ns::Safety::get_template; // safety
    n += 1;
    let _: fn(&ns::Safety<'static, E>, String, m::ApplyTemplateRequest) -> _ =
        ns::Safety::apply_template; // safety
    n += 1;
    let _: fn(&ns::Compliance<'static, E>) -> _ = ns::Compliance::get_dashboard; // compliance
    n += 1;
    let _: fn(&ns::Compliance<'static, E>) -> _ = ns::Compliance::get_hipaa; // compliance
    n += 1;
    let _: fn(&ns::Compliance<'static, E>) -> _ = ns::Compliance::get_access_review; // compliance
    n += 1;
    let _: fn(&ns::Events<'static, E>) -> _ = ns::Events::subscribe_to_workspace; // events
    n += 1;
    let _: fn(&ns::Functions<'static, E>) -> _ = ns::Functions::list; // functions
    n += 1;
    let _: fn(&ns::Functions<'static, E>, m::FunctionCreateRequest) -> _ = ns::Functions::create; // functions
    n += 1;
    let _: fn(&ns::Functions<'static, E>, String) -> _ = ns::Functions::delete; // functions
    n += 1;
    let _: fn(&ns::Functions<'static, E>, String, m::FunctionTestRequest) -> _ =
        ns::Functions::test; // functions
    n += 1;
    let _: fn(&ns::Functions<'static, E>) -> _ = ns::Functions::get_catalog; // functions
    n += 1;
    let _: fn(&ns::Functions<'static, E>, m::QueryRequest) -> _ = ns::Functions::query; // functions
    n += 1;
    let _: fn(&ns::Functions<'static, E>) -> _ = ns::Functions::sync; // functions
    n += 1;
    let _: fn(&ns::Functions<'static, E>, m::RegisteredFunction) -> _ = ns::Functions::deploy; // functions
    n += 1;
    let _: fn(&ns::Functions<'static, E>) -> _ = ns::Functions::list_registered; // functions
    n += 1;
    let _: fn(&ns::Functions<'static, E>, String) -> _ = ns::Functions::list_versions; // functions
    n += 1;
    let _: fn(&ns::Functions<'static, E>, String) -> _ = ns::Functions::get_version; // functions
    n += 1;
    let _: fn(&ns::Functions<'static, E>, String, m::InvokeRequest) -> _ = ns::Functions::invoke; // functions
    n += 1;
    let _: fn(&ns::Functions<'static, E>, String, m::InvokeRequest) -> _ = ns::Functions::test_v2; // functions
    n += 1;
    let _: fn(&ns::Functions<'static, E>, String, m::PromoteRequest) -> _ = ns::Functions::promote; // functions
    n += 1;
    let _: fn(&ns::Functions<'static, E>, String, m::RollbackRequest) -> _ =
        ns::Functions::rollback; // functions
    n += 1;
    let _: fn(&ns::Fhir<'static, E>) -> _ = ns::Fhir::get_status; // fhir
    n += 1;
    let _: fn(&ns::Fhir<'static, E>) -> _ = ns::Fhir::get_sync_failures; // fhir
    n += 1;
    let _: fn(&ns::Fhir<'static, E>, m::FhirImportRequest) -> _ = ns::Fhir::import; // fhir
    n += 1;
    let _: fn(&ns::Fhir<'static, E>) -> _ = ns::Fhir::search_patients; // fhir
    n += 1;
    let _: fn(&ns::Fhir<'static, E>) -> _ = ns::Fhir::search_patients_auto_paging; // fhir
    n += 1;
    let _: fn(&ns::Fhir<'static, E>, String) -> _ = ns::Fhir::get_patient_summary; // fhir
    n += 1;
    let _: fn(&ns::Fhir<'static, E>, String) -> _ = ns::Fhir::get_patient_timeline; // fhir
    n += 1;
    let _: fn(&ns::FhirResources<'static, E>, String) -> _ = ns::FhirResources::search; // fhir.resources
    n += 1;
    let _: fn(&ns::FhirResources<'static, E>, String, m::FhirWriteRequest) -> _ =
        ns::FhirResources::create; // fhir.resources
    n += 1;
    let _: fn(&ns::FhirResources<'static, E>, String, String) -> _ = ns::FhirResources::get; // fhir.resources
    n += 1;
    let _: fn(&ns::FhirResources<'static, E>, String, String, m::FhirWriteRequest) -> _ =
        ns::FhirResources::update; // fhir.resources
    n += 1;
    let _: fn(&ns::FhirResources<'static, E>, String, String) -> _ = ns::FhirResources::get_history; // fhir.resources
    n += 1;
    let _: fn(&ns::FhirResources<'static, E>, String, String) -> _ =
        ns::FhirResources::get_history_auto_paging; // fhir.resources
    n += 1;
    let _: fn(&ns::FhirViews<'static, E>) -> _ = ns::FhirViews::patients; // fhir.views
    n += 1;
    let _: fn(&ns::FhirViews<'static, E>) -> _ = ns::FhirViews::patients_auto_paging; // fhir.views
    n += 1;
    let _: fn(&ns::FhirViews<'static, E>) -> _ = ns::FhirViews::appointments; // fhir.views
    n += 1;
    let _: fn(&ns::FhirViews<'static, E>) -> _ = ns::FhirViews::appointments_auto_paging; // fhir.views
    n += 1;
    let _: fn(&ns::FhirViews<'static, E>) -> _ = ns::FhirViews::practitioners; // fhir.views
    n += 1;
    let _: fn(&ns::FhirViews<'static, E>) -> _ = ns::FhirViews::practitioners_auto_paging; // fhir.views
    n += 1;
    let _: fn(&ns::FhirViews<'static, E>) -> _ = ns::FhirViews::organizations; // fhir.views
    n += 1;
    let _: fn(&ns::FhirViews<'static, E>) -> _ = ns::FhirViews::organizations_auto_paging; // fhir.views
    n += 1;
    let _: fn(&ns::FhirViews<'static, E>) -> _ = ns::FhirViews::locations; // fhir.views
    n += 1;
    let _: fn(&ns::FhirViews<'static, E>) -> _ = ns::FhirViews::locations_auto_paging; // fhir.views
    n += 1;
    let _: fn(&ns::FhirViews<'static, E>) -> _ = ns::FhirViews::slots; // fhir.views
    n += 1;
    let _: fn(&ns::FhirViews<'static, E>) -> _ = ns::FhirViews::slots_auto_paging; // fhir.views
    n += 1;
    let _: fn(&ns::Insights<'static, E>) -> _ = ns::Insights::get_digest; // insights
    n += 1;
    let _: fn(&ns::Insights<'static, E>) -> _ = ns::Insights::get_schema; // insights
    n += 1;
    let _: fn(&ns::Insights<'static, E>) -> _ = ns::Insights::get_suggestions; // insights
    n += 1;
    let _: fn(&ns::Insights<'static, E>, m::SqlQueryRequest) -> _ = ns::Insights::run_sql; // insights
    n += 1;
    let _: fn(&ns::InsightsSessions<'static, E>) -> _ = ns::InsightsSessions::create; // insights.sessions
    n += 1;
    let _: fn(&ns::InsightsSessions<'static, E>, String) -> _ = ns::InsightsSessions::get; // insights.sessions
    n += 1;
    let _: fn(&ns::InsightsSessions<'static, E>, String, m::ChatRequest) -> _ =
        ns::InsightsSessions::chat; // insights.sessions
    n += 1;
    let _: fn(&ns::MonitorConcepts<'static, E>, m::CreateMonitorConceptRequest) -> _ =
        ns::MonitorConcepts::create; // monitor_concepts
    n += 1;
    let _: fn(&ns::MonitorConcepts<'static, E>) -> _ = ns::MonitorConcepts::list; // monitor_concepts
    n += 1;
    let _: fn(&ns::MonitorConcepts<'static, E>) -> _ = ns::MonitorConcepts::list_auto_paging; // monitor_concepts
    n += 1;
    let _: fn(&ns::MonitorConcepts<'static, E>, String) -> _ = ns::MonitorConcepts::get; // monitor_concepts
    n += 1;
    let _: fn(&ns::MonitorConcepts<'static, E>, String, m::UpdateMonitorConceptRequest) -> _ =
        ns::MonitorConcepts::update; // monitor_concepts
    n += 1;
    let _: fn(&ns::MonitorConcepts<'static, E>, String) -> _ = ns::MonitorConcepts::delete; // monitor_concepts
    n += 1;
    let _: fn(&ns::UnificationRules<'static, E>, m::CreateUnificationRuleRequest) -> _ =
        ns::UnificationRules::create; // unification_rules
    n += 1;
    let _: fn(&ns::UnificationRules<'static, E>) -> _ = ns::UnificationRules::list; // unification_rules
    n += 1;
    let _: fn(&ns::UnificationRules<'static, E>) -> _ = ns::UnificationRules::list_auto_paging; // unification_rules
    n += 1;
    let _: fn(&ns::UnificationRules<'static, E>, String) -> _ = ns::UnificationRules::get; // unification_rules
    n += 1;
    let _: fn(&ns::UnificationRules<'static, E>, String, m::UpdateUnificationRuleRequest) -> _ =
        ns::UnificationRules::update; // unification_rules
    n += 1;
    let _: fn(&ns::UnificationRules<'static, E>, String) -> _ = ns::UnificationRules::delete; // unification_rules
    n += 1;
    let _: fn(&ns::Crm<'static, E>) -> _ = ns::Crm::get_status; // crm
    n += 1;
    let _: fn(&ns::CrmContacts<'static, E>) -> _ = ns::CrmContacts::list; // crm.contacts
    n += 1;
    let _: fn(&ns::CrmContacts<'static, E>) -> _ = ns::CrmContacts::list_auto_paging; // crm.contacts
    n += 1;
    let _: fn(&ns::CrmContacts<'static, E>, String) -> _ = ns::CrmContacts::get; // crm.contacts
    n += 1;
    let _: fn(&ns::CrmContacts<'static, E>, String) -> _ = ns::CrmContacts::get_timeline; // crm.contacts
    n += 1;
    let _: fn(&ns::CrmContacts<'static, E>, String) -> _ =
        ns::CrmContacts::get_timeline_auto_paging; // crm.contacts
    n += 1;
    let _: fn(&ns::CrmCompanies<'static, E>) -> _ = ns::CrmCompanies::list; // crm.companies
    n += 1;
    let _: fn(&ns::CrmCompanies<'static, E>) -> _ = ns::CrmCompanies::list_auto_paging; // crm.companies
    n += 1;
    let _: fn(&ns::CrmCompanies<'static, E>, String) -> _ = ns::CrmCompanies::get; // crm.companies
    n += 1;
    let _: fn(&ns::CrmDeals<'static, E>) -> _ = ns::CrmDeals::list; // crm.deals
    n += 1;
    let _: fn(&ns::CrmDeals<'static, E>) -> _ = ns::CrmDeals::list_auto_paging; // crm.deals
    n += 1;
    let _: fn(&ns::CrmDeals<'static, E>, String) -> _ = ns::CrmDeals::get; // crm.deals
    n += 1;
    let _: fn(&ns::CrmDeals<'static, E>) -> _ = ns::CrmDeals::get_pipeline; // crm.deals
    n += 1;
    let _: fn(&ns::CommandCenter<'static, E>) -> _ = ns::CommandCenter::get; // command_center
    n += 1;
    let _: fn(&ns::Sensorium<'static, E>) -> _ = ns::Sensorium::get_connector_health; // sensorium
    n += 1;
    let _: fn(&ns::Sensorium<'static, E>) -> _ = ns::Sensorium::get_loop_latency; // sensorium
    n += 1;
    let _: fn(&ns::DataQuery<'static, E>, String, String) -> _ = ns::DataQuery::run; // data_query
    n += 1;
    let _: fn(&ns::DataQuery<'static, E>, String, String) -> _ = ns::DataQuery::run_auto_paging; // data_query
    n += 1;
    let _: fn(&ns::Briefs<'static, E>) -> _ = ns::Briefs::get; // briefs
    n += 1;
    let _: fn(&ns::Briefs<'static, E>) -> _ = ns::Briefs::regenerate; // briefs
    n += 1;
    let _: fn(&ns::Briefs<'static, E>, String) -> _ = ns::Briefs::get_for_entity; // briefs
    n += 1;
    let _: fn(&ns::Briefs<'static, E>, String) -> _ = ns::Briefs::regenerate_for_entity; // briefs
    n += 1;
    let _: fn(&ns::DesktopSessions<'static, E>, m::DesktopSessionsCreateSessionRequest) -> _ =
        ns::DesktopSessions::create; // desktop_sessions
    n += 1;
    let _: fn(&ns::DesktopSessions<'static, E>, String) -> _ = ns::DesktopSessions::disconnect; // desktop_sessions
    n += 1;
    let _: fn(&ns::DesktopSessions<'static, E>, String, m::ActionRequest) -> _ =
        ns::DesktopSessions::send_action; // desktop_sessions
    n += 1;
    let _: fn(&ns::DesktopSessions<'static, E>, String) -> _ = ns::DesktopSessions::get_screenshot; // desktop_sessions
    n += 1;
    let _: fn(&ns::DesktopSessions<'static, E>, String) -> _ = ns::DesktopSessions::get_status; // desktop_sessions
    n += 1;
    let _: fn(&ns::IntakeLinks<'static, E>) -> _ = ns::IntakeLinks::list; // intake.links
    n += 1;
    let _: fn(&ns::IntakeLinks<'static, E>, m::CreateLinkRequest) -> _ = ns::IntakeLinks::create; // intake.links
    n += 1;
    let _: fn(&ns::IntakeLinks<'static, E>, String) -> _ = ns::IntakeLinks::delete; // intake.links
    n += 1;
    let _: fn(&ns::IntakeLinks<'static, E>, String) -> _ = ns::IntakeLinks::list_uploads; // intake.links
    n += 1;
    let _: fn(&ns::IntakeLinks<'static, E>, String, String) -> _ = ns::IntakeLinks::download_upload; // intake.links
    n += 1;
    let _: fn(&ns::Network<'static, E>) -> _ = ns::Network::get_egress_ips; // network
    n += 1;
    let _: fn(&ns::Pipeline<'static, E>) -> _ = ns::Pipeline::get_status; // pipeline
    n += 1;
    let _: fn(&ns::Pipeline<'static, E>) -> _ = ns::Pipeline::get_throughput; // pipeline
    n += 1;
    let _: fn(&ns::Pipeline<'static, E>) -> _ = ns::Pipeline::get_review; // pipeline
    n += 1;
    let _: fn(&ns::Pipeline<'static, E>) -> _ = ns::Pipeline::get_entity_resolution; // pipeline
    n += 1;
    let _: fn(&ns::PipelineOutbound<'static, E>) -> _ = ns::PipelineOutbound::list; // pipeline.outbound
    n += 1;
    let _: fn(&ns::PipelineOutbound<'static, E>, String) -> _ = ns::PipelineOutbound::get_log; // pipeline.outbound
    n += 1;
    let _: fn(&ns::PipelineOutbound<'static, E>, String) -> _ =
        ns::PipelineOutbound::get_log_auto_paging; // pipeline.outbound
    n += 1;
    let _: fn(&ns::PipelineSources<'static, E>) -> _ = ns::PipelineSources::list; // pipeline.sources
    n += 1;
    let _: fn(&ns::PipelineSources<'static, E>, String) -> _ = ns::PipelineSources::get_overview; // pipeline.sources
    n += 1;
    let _: fn(&ns::PipelineSources<'static, E>, String) -> _ = ns::PipelineSources::list_events; // pipeline.sources
    n += 1;
    let _: fn(&ns::PipelineSources<'static, E>, String) -> _ =
        ns::PipelineSources::list_events_auto_paging; // pipeline.sources
    n += 1;
    let _: fn(&ns::PipelineSources<'static, E>, String) -> _ = ns::PipelineSources::get_history; // pipeline.sources
    n += 1;
    let _: fn(&ns::Tasks<'static, E>, String) -> _ = ns::Tasks::get; // tasks
    n += 1;
    let _: fn(&ns::Tasks<'static, E>, String) -> _ = ns::Tasks::list_by_call; // tasks
    n += 1;
    let _: fn(&ns::Tools<'static, E>, m::ToolExecuteRequest) -> _ = ns::Tools::execute; // tools
    n += 1;
    let _: fn(&ns::Tools<'static, E>, String) -> _ = ns::Tools::resolve_for_service; // tools
    n += 1;
    let _: fn(&ns::Surfaces<'static, E>) -> _ = ns::Surfaces::list; // surfaces
    n += 1;
    let _: fn(&ns::Surfaces<'static, E>) -> _ = ns::Surfaces::list_auto_paging; // surfaces
    n += 1;
    let _: fn(&ns::Surfaces<'static, E>) -> _ = ns::Surfaces::list_for_review; // surfaces
    n += 1;
    let _: fn(&ns::Surfaces<'static, E>) -> _ = ns::Surfaces::list_for_review_auto_paging; // surfaces
    n += 1;
    let _: fn(&ns::Surfaces<'static, E>, m::CreateSurfaceRequest) -> _ = ns::Surfaces::create; // surfaces
    n += 1;
    let _: fn(&ns::Surfaces<'static, E>, String) -> _ = ns::Surfaces::get; // surfaces
    n += 1;
    let _: fn(&ns::Surfaces<'static, E>, String, m::UpdateSurfaceRequest) -> _ =
        ns::Surfaces::update; // surfaces
    n += 1;
    let _: fn(&ns::Surfaces<'static, E>, String) -> _ = ns::Surfaces::archive; // surfaces
    n += 1;
    let _: fn(&ns::Surfaces<'static, E>, String, m::DeliverSurfaceRequest) -> _ =
        ns::Surfaces::deliver; // surfaces
    n += 1;
    let _: fn(&ns::Surfaces<'static, E>, String) -> _ = ns::Surfaces::get_progress; // surfaces
    n += 1;
    let _: fn(&ns::Surfaces<'static, E>, String) -> _ = ns::Surfaces::approve; // surfaces
    n += 1;
    let _: fn(&ns::Surfaces<'static, E>, String, m::RejectSurfaceRequest) -> _ =
        ns::Surfaces::reject; // surfaces
    n += 1;
    let _: fn(&ns::Surfaces<'static, E>, String) -> _ = ns::Surfaces::reshape; // surfaces
    n += 1;
    let _: fn(&ns::Sessions<'static, E>) -> _ = ns::Sessions::list_active; // sessions
    n += 1;
    let _: fn(&ns::Sessions<'static, E>, String, m::InjectRequest) -> _ = ns::Sessions::inject; // sessions
    n += 1;
    let _: fn(&ns::SurfacePatient<'static, E>, String) -> _ =
        ns::SurfacePatient::redirect_to_surface; // surface_patient
    n += 1;
    let _: fn(&ns::SurfacePatient<'static, E>, String) -> _ = ns::SurfacePatient::get_vcard; // surface_patient
    n += 1;
    let _: fn(&ns::SurfacePatient<'static, E>, String) -> _ = ns::SurfacePatient::render; // surface_patient
    n += 1;
    let _: fn(&ns::SurfacePatient<'static, E>, String) -> _ = ns::SurfacePatient::get_availability; // surface_patient
    n += 1;
    let _: fn(&ns::SurfacePatient<'static, E>, String, m::BookingRequest) -> _ =
        ns::SurfacePatient::book_appointment; // surface_patient
    n += 1;
    let _: fn(&ns::SurfacePatient<'static, E>, String, String, m::FieldSaveRequest) -> _ =
        ns::SurfacePatient::save_field; // surface_patient
    n += 1;
    let _: fn(&ns::SurfacePatient<'static, E>, String, m::HealFieldRequest) -> _ =
        ns::SurfacePatient::heal_field; // surface_patient
    n += 1;
    let _: fn(&ns::SurfacePatient<'static, E>, String, String, String) -> _ =
        ns::SurfacePatient::lookup_field; // surface_patient
    n += 1;
    let _: fn(&ns::SurfacePatient<'static, E>, String, m::OcrRequest) -> _ =
        ns::SurfacePatient::ocr_extract; // surface_patient
    n += 1;
    let _: fn(&ns::SurfacePatient<'static, E>, String) -> _ = ns::SurfacePatient::get_spec; // surface_patient
    n += 1;
    let _: fn(&ns::SurfacePatient<'static, E>, String) -> _ = ns::SurfacePatient::submit; // surface_patient
    n += 1;
    let _: fn(&ns::IntakeUpload<'static, E>, String, String, String, bytes::Bytes, String) -> _ =
        ns::IntakeUpload::upload_file; // intake.upload
    n += 1;
    let _: fn(&ns::IntakeUpload<'static, E>, String) -> _ = ns::IntakeUpload::get_link_info; // intake.upload
    n += 1;
    let _: fn(&ns::BillingCustomers<'static, E>) -> _ = ns::BillingCustomers::list; // billing.customers
    n += 1;
    let _: fn(&ns::BillingCustomers<'static, E>) -> _ = ns::BillingCustomers::list_auto_paging; // billing.customers
    n += 1;
    let _: fn(&ns::BillingCustomers<'static, E>, m::CreateCustomerRequest) -> _ =
        ns::BillingCustomers::create; // billing.customers
    n += 1;
    let _: fn(&ns::BillingCustomers<'static, E>, String) -> _ = ns::BillingCustomers::get; // billing.customers
    n += 1;
    let _: fn(&ns::BillingCustomers<'static, E>, String, m::UpdateCustomerRequest) -> _ =
        ns::BillingCustomers::update; // billing.customers
    n += 1;
    let _: fn(&ns::BillingCustomers<'static, E>, String) -> _ = ns::BillingCustomers::get_config; // billing.customers
    n += 1;
    let _: fn(&ns::BillingCustomers<'static, E>, String, m::UpdateConfigRequest) -> _ =
        ns::BillingCustomers::update_config; // billing.customers
    n += 1;
    let _: fn(&ns::BillingCustomers<'static, E>, String) -> _ =
        ns::BillingCustomers::generate_invoice; // billing.customers
    n += 1;
    let _: fn(&ns::BillingCustomers<'static, E>, String) -> _ = ns::BillingCustomers::list_invoices; // billing.customers
    n += 1;
    let _: fn(&ns::BillingCustomers<'static, E>, String) -> _ =
        ns::BillingCustomers::list_invoices_auto_paging; // billing.customers
    n += 1;
    let _: fn(&ns::BillingCustomers<'static, E>, String, String) -> _ =
        ns::BillingCustomers::mark_invoice_paid; // billing.customers
    n += 1;
    let _: fn(&ns::BillingCustomers<'static, E>, String, String) -> _ =
        ns::BillingCustomers::send_invoice; // billing.customers
    n += 1;
    let _: fn(&ns::BillingCustomers<'static, E>, String, String) -> _ =
        ns::BillingCustomers::void_invoice; // billing.customers
    n += 1;
    let _: fn(&ns::BillingCustomers<'static, E>, String) -> _ = ns::BillingCustomers::get_usage; // billing.customers
    n += 1;
    let _: fn(&ns::BillingCustomers<'static, E>, String) -> _ =
        ns::BillingCustomers::get_usage_auto_paging; // billing.customers
    n += 1;
    let _: fn(&ns::BillingCustomers<'static, E>, String, m::AttachWorkspaceRequest) -> _ =
        ns::BillingCustomers::attach_workspace; // billing.customers
    n += 1;
    let _: fn(&ns::BillingCustomers<'static, E>, String, String) -> _ =
        ns::BillingCustomers::detach_workspace; // billing.customers
    n += 1;
    let _: fn(&ns::Causal<'static, E>, String) -> _ = ns::Causal::list_drivers; // causal
    n += 1;
    let _: fn(&ns::Dashboards<'static, E>) -> _ = ns::Dashboards::list; // dashboards
    n += 1;
    let _: fn(&ns::Dashboards<'static, E>) -> _ = ns::Dashboards::list_auto_paging; // dashboards
    n += 1;
    let _: fn(&ns::Dashboards<'static, E>, m::CreateDashboardRequest) -> _ = ns::Dashboards::create; // dashboards
    n += 1;
    let _: fn(&ns::Dashboards<'static, E>, String) -> _ = ns::Dashboards::get_by_slug; // dashboards
    n += 1;
    let _: fn(&ns::Dashboards<'static, E>, String) -> _ = ns::Dashboards::delete; // dashboards
    n += 1;
    let _: fn(&ns::Dashboards<'static, E>, String) -> _ = ns::Dashboards::get; // dashboards
    n += 1;
    let _: fn(&ns::Dashboards<'static, E>, String, m::UpdateDashboardRequest) -> _ =
        ns::Dashboards::update; // dashboards
    n += 1;
    let _: fn(&ns::Dashboards<'static, E>, String) -> _ = ns::Dashboards::execute; // dashboards
    n += 1;
    let _: fn(&ns::DemoPulse<'static, E>, m::DemoPulseStartRequest) -> _ = ns::DemoPulse::start; // demo_pulse
    n += 1;
    let _: fn(&ns::DemoPulse<'static, E>) -> _ = ns::DemoPulse::get_status; // demo_pulse
    n += 1;
    let _: fn(&ns::DemoPulse<'static, E>, m::DemoPulseStopRequest) -> _ = ns::DemoPulse::stop; // demo_pulse
    n += 1;
    let _: fn(&ns::Epidemiology<'static, E>, String) -> _ = ns::Epidemiology::list_cohort_drivers; // epidemiology
    n += 1;
    let _: fn(&ns::Epidemiology<'static, E>) -> _ = ns::Epidemiology::list_cooccurrence; // epidemiology
    n += 1;
    let _: fn(&ns::Epidemiology<'static, E>) -> _ = ns::Epidemiology::list_patient_burden; // epidemiology
    n += 1;
    let _: fn(&ns::Epidemiology<'static, E>, String) -> _ = ns::Epidemiology::get_patient_burden; // epidemiology
    n += 1;
    let _: fn(&ns::Epidemiology<'static, E>) -> _ = ns::Epidemiology::list_prevalence; // epidemiology
    n += 1;
    let _: fn(&ns::Epidemiology<'static, E>, String) -> _ = ns::Epidemiology::list_trends; // epidemiology
    n += 1;
    let _: fn(&ns::Fhir<'static, E>, bytes::Bytes, String) -> _ = ns::Fhir::import_stream; // fhir
    n += 1;
    let _: fn(&ns::InboundWebhooks<'static, E>, String, bytes::Bytes, String) -> _ =
        ns::InboundWebhooks::receive; // inbound_webhooks
    n += 1;
    let _: fn(
        &ns::Intake<'static, E>,
        String,
        String,
        String,
        String,
        String,
        bytes::Bytes,
        String,
    ) -> _ = ns::Intake::receive_file; // intake
    n += 1;
    let _: fn(&ns::M42<'static, E>) -> _ = ns::M42::list_anomalies_ranked; // m42
    n += 1;
    let _: fn(&ns::M42<'static, E>) -> _ = ns::M42::list_anomaly_alerts; // m42
    n += 1;
    let _: fn(&ns::M42<'static, E>) -> _ = ns::M42::list_catalog; // m42
    n += 1;
    let _: fn(&ns::M42<'static, E>, String) -> _ = ns::M42::describe_table; // m42
    n += 1;
    let _: fn(&ns::M42<'static, E>, String) -> _ = ns::M42::sample_table; // m42
    n += 1;
    let _: fn(&ns::M42<'static, E>) -> _ = ns::M42::list_cluster_forecast; // m42
    n += 1;
    let _: fn(&ns::M42<'static, E>) -> _ = ns::M42::list_cluster_summary; // m42
    n += 1;
    let _: fn(&ns::M42<'static, E>) -> _ = ns::M42::list_district_metrics; // m42
    n += 1;
    let _: fn(&ns::M42<'static, E>) -> _ = ns::M42::list_features; // m42
    n += 1;
    let _: fn(&ns::M42<'static, E>, String) -> _ = ns::M42::get_feature_distribution; // m42
    n += 1;
    let _: fn(&ns::M42<'static, E>) -> _ = ns::M42::list_forecast_fan; // m42
    n += 1;
    let _: fn(&ns::M42<'static, E>) -> _ = ns::M42::list_forecast_draws; // m42
    n += 1;
    let _: fn(&ns::M42<'static, E>) -> _ = ns::M42::list_model_registry; // m42
    n += 1;
    let _: fn(&ns::M42<'static, E>) -> _ = ns::M42::get_notes_rollup; // m42
    n += 1;
    let _: fn(&ns::M42<'static, E>) -> _ = ns::M42::list_patient_topology; // m42
    n += 1;
    let _: fn(&ns::M42<'static, E>, String) -> _ = ns::M42::list_patient_labs; // m42
    n += 1;
    let _: fn(&ns::M42<'static, E>, String) -> _ = ns::M42::get_patient_note; // m42
    n += 1;
    let _: fn(&ns::M42<'static, E>) -> _ = ns::M42::list_positive_signals; // m42
    n += 1;
    let _: fn(&ns::M42<'static, E>) -> _ = ns::M42::list_stratified_fits; // m42
    n += 1;
    let _: fn(&ns::Metering<'static, E>, m::MeteringEmitRequest) -> _ = ns::Metering::emit; // metering
    n += 1;
    let _: fn(&ns::Metrics<'static, E>, String, m::MetricEvaluateRequest) -> _ =
        ns::Metrics::evaluate; // metrics
    n += 1;
    let _: fn(&ns::PhoneNumbers<'static, E>, m::BindChannelPhoneRequest) -> _ =
        ns::PhoneNumbers::bind; // phone_numbers
    n += 1;
    let _: fn(&ns::SchedulingRuleSets<'static, E>) -> _ = ns::SchedulingRuleSets::list; // scheduling_rule_sets
    n += 1;
    let _: fn(&ns::SchedulingRuleSets<'static, E>) -> _ = ns::SchedulingRuleSets::list_auto_paging; // scheduling_rule_sets
    n += 1;
    let _: fn(&ns::SchedulingRuleSets<'static, E>, m::CreateSchedulingRuleSetRequest) -> _ =
        ns::SchedulingRuleSets::create; // scheduling_rule_sets
    n += 1;
    let _: fn(&ns::SchedulingRuleSets<'static, E>, String) -> _ = ns::SchedulingRuleSets::delete; // scheduling_rule_sets
    n += 1;
    let _: fn(&ns::SchedulingRuleSets<'static, E>, String) -> _ = ns::SchedulingRuleSets::get; // scheduling_rule_sets
    n += 1;
    let _: fn(&ns::SchedulingRuleSets<'static, E>, String, m::UpdateSchedulingRuleSetRequest) -> _ =
        ns::SchedulingRuleSets::update; // scheduling_rule_sets
    n += 1;
    let _: fn(&ns::Scribe<'static, E>, String) -> _ = ns::Scribe::finalize_encounter; // scribe
    n += 1;
    let _: fn(&ns::Scribe<'static, E>, String, m::ApproveIcd10Request) -> _ =
        ns::Scribe::approve_icd10; // scribe
    n += 1;
    let _: fn(&ns::Scribe<'static, E>, String, m::RejectIcd10Request) -> _ =
        ns::Scribe::reject_icd10; // scribe
    n += 1;
    let _: fn(&ns::Scribe<'static, E>, String, m::EditSoapRequest) -> _ = ns::Scribe::edit_soap; // scribe
    n += 1;
    let _: fn(&ns::Scribe<'static, E>, m::TranscribeScribeRecordingBody) -> _ =
        ns::Scribe::transcribe_recording; // scribe
    n += 1;
    let _: fn(&ns::Services<'static, E>, String, m::TextTurnRequest) -> _ = ns::Services::text_turn; // services
    n += 1;
    let _: fn(&ns::Services<'static, E>, String, String, m::UpsertVersionSetRequest) -> _ =
        ns::Services::upsert_version_set; // services
    n += 1;
    let _: fn(&ns::Services<'static, E>, String) -> _ = ns::Services::list_voice_judge_recent; // services
    n += 1;
    let _: fn(&ns::Services<'static, E>, String, m::VoiceTurnBody) -> _ = ns::Services::voice_turn; // services
    n += 1;
    let _: fn(&ns::Sessions<'static, E>, m::StartSessionRequest) -> _ = ns::Sessions::start; // sessions
    n += 1;
    let _: fn(&ns::SettingsConnectors<'static, E>) -> _ = ns::SettingsConnectors::get; // settings.connectors
    n += 1;
    let _: fn(&ns::SettingsConnectors<'static, E>, m::ConnectorSettingsRequest) -> _ =
        ns::SettingsConnectors::update; // settings.connectors
    n += 1;
    let _: fn(&ns::SettingsFormTemplates<'static, E>) -> _ = ns::SettingsFormTemplates::list; // settings.form_templates
    n += 1;
    let _: fn(&ns::SettingsFormTemplates<'static, E>, m::FormTemplateUpdateRequest) -> _ =
        ns::SettingsFormTemplates::update; // settings.form_templates
    n += 1;
    let _: fn(&ns::SettingsFormTemplates<'static, E>, String) -> _ = ns::SettingsFormTemplates::get; // settings.form_templates
    n += 1;
    let _: fn(&ns::SettingsFormTemplates<'static, E>, String, m::ResolveTemplateRequest) -> _ =
        ns::SettingsFormTemplates::resolve; // settings.form_templates
    n += 1;
    let _: fn(
        &ns::SimulationsBenchmarks<'static, E>,
        m::GetSimulationBenchmarkResultsRequest,
    ) -> _ = ns::SimulationsBenchmarks::get_results; // simulations.benchmarks
    n += 1;
    let _: fn(&ns::SimulationsBenchmarks<'static, E>, m::RunSimulationBenchmarkRequest) -> _ =
        ns::SimulationsBenchmarks::run; // simulations.benchmarks
    n += 1;
    let _: fn(&ns::SimulationsBranches<'static, E>) -> _ = ns::SimulationsBranches::list; // simulations.branches
    n += 1;
    let _: fn(&ns::SimulationsBranches<'static, E>, m::CreateBranchRequest) -> _ =
        ns::SimulationsBranches::create; // simulations.branches
    n += 1;
    let _: fn(&ns::SimulationsCases<'static, E>, String, m::RunSimulationCaseRequest) -> _ =
        ns::SimulationsCases::run; // simulations.cases
    n += 1;
    let _: fn(&ns::Simulations<'static, E>, m::ConfigToPolicyRequest) -> _ =
        ns::Simulations::config_to_policy; // simulations
    n += 1;
    let _: fn(&ns::Simulations<'static, E>, String, m::ForkRequest) -> _ =
        ns::Simulations::fork_session; // simulations
    n += 1;
    let _: fn(&ns::Simulations<'static, E>, String, m::ScoreSessionRequest) -> _ =
        ns::Simulations::score_session; // simulations
    n += 1;
    let _: fn(&ns::Simulations<'static, E>, String, m::StepRequest) -> _ =
        ns::Simulations::step_session; // simulations
    n += 1;
    let _: fn(&ns::Simulations<'static, E>, String) -> _ = ns::Simulations::get_session_turns; // simulations
    n += 1;
    let _: fn(&ns::Twilio<'static, E>) -> _ = ns::Twilio::search_available_numbers; // twilio
    n += 1;
    let _: fn(&ns::Twilio<'static, E>, m::PurchasePhoneNumberRequest) -> _ =
        ns::Twilio::purchase_number; // twilio
    n += 1;
    let _: fn(&ns::Twilio<'static, E>, String) -> _ = ns::Twilio::release_number; // twilio
    n += 1;
    let _: fn(&ns::Twilio<'static, E>) -> _ = ns::Twilio::get_sub_account; // twilio
    n += 1;
    let _: fn(&ns::Twilio<'static, E>) -> _ = ns::Twilio::provision_sub_account; // twilio
    n += 1;
    let _: fn(&ns::UseCases<'static, E>) -> _ = ns::UseCases::list; // use_cases
    n += 1;
    let _: fn(&ns::UseCases<'static, E>, m::CreateUseCaseBody) -> _ = ns::UseCases::create; // use_cases
    n += 1;
    let _: fn(&ns::UseCases<'static, E>, String) -> _ = ns::UseCases::delete; // use_cases
    n += 1;
    let _: fn(&ns::Voicemail<'static, E>) -> _ = ns::Voicemail::list; // voicemail
    n += 1;
    let _: fn(&ns::Voicemail<'static, E>, m::SendVoicemailBody) -> _ = ns::Voicemail::send; // voicemail
    n += 1;
    let _: fn(&ns::Voiceprints<'static, E>, m::EnrollVoiceprintBody) -> _ = ns::Voiceprints::enroll; // voiceprints
    n += 1;
    let _: fn(&ns::Voiceprints<'static, E>, m::VerifyVoiceprintBody) -> _ = ns::Voiceprints::verify; // voiceprints
    n += 1;
    let _: fn(&ns::Voiceprints<'static, E>, String) -> _ = ns::Voiceprints::get_status; // voiceprints
    n += 1;
    let _: fn(&ns::World<'static, E>) -> _ = ns::World::get_dashboard; // world
    n += 1;
    let _: fn(&ns::WorldEnrichmentKeys<'static, E>) -> _ = ns::WorldEnrichmentKeys::list; // world.enrichment_keys
    n += 1;
    let _: fn(&ns::WorldEnrichmentKeys<'static, E>, m::EnrichmentKeyCreateBody) -> _ =
        ns::WorldEnrichmentKeys::create; // world.enrichment_keys
    n += 1;
    let _: fn(&ns::WorldEnrichmentKeys<'static, E>, String) -> _ = ns::WorldEnrichmentKeys::delete; // world.enrichment_keys
    n += 1;
    let _: fn(&ns::WorldEnrichmentKeys<'static, E>, String, m::EnrichmentKeyPatchBody) -> _ =
        ns::WorldEnrichmentKeys::update; // world.enrichment_keys
    n += 1;
    let _: fn(&ns::World<'static, E>, m::EntityResolveRequest) -> _ = ns::World::resolve_entity; // world
    n += 1;
    let _: fn(&ns::World<'static, E>, String) -> _ = ns::World::list_entity_enrichment; // world
    n += 1;
    let _: fn(&ns::World<'static, E>, String, String, m::EnrichmentWriteBody) -> _ =
        ns::World::set_entity_enrichment; // world
    n += 1;
    let _: fn(&ns::World<'static, E>, String, String) -> _ =
        ns::World::get_entity_enrichment_history; // world
    n += 1;
    let _: fn(&ns::World<'static, E>) -> _ = ns::World::list_event_types; // world
    n += 1;
    n
}

fn config() -> Config {
    Config::builder()
        .api_key("sk-compile")
        .workspace_id("ws-001")
        .build()
        .expect("config")
}

#[test]
fn blocking_client_has_every_surface_name() {
    let client = amigo_platform_ureq::Client::new(config());
    assert_eq!(reach_every_namespace(&client), 99);
    assert_eq!(
        name_every_method::<amigo_platform_ureq::UreqTransport>(),
        555
    );
}

#[test]
fn async_client_has_every_surface_name() {
    let client = amigo_platform_hyper::Client::new(config());
    assert_eq!(reach_every_namespace(&client), 99);
    assert_eq!(
        name_every_method::<amigo_platform_hyper::HyperTransport>(),
        555
    );
}
