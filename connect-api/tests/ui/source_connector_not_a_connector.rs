// `source_connector!` on types that are not a source connector and task.

#[derive(Default)]
struct NotAConnector;

#[derive(Default)]
struct NotATask;

connect_api::source_connector!(NotAConnector, NotATask);

fn main() {}
