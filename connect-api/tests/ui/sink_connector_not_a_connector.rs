// `sink_connector!` on a type that is not a sink connector.

#[derive(Default)]
struct NotAConnector;

#[derive(Default)]
struct NotATask;

connect_api::sink_connector!(NotAConnector, NotATask);

fn main() {}
