//! Calling a worker's REST API over real HTTP.

use std::time::Duration;

use serde_json::Value;

/// A REST client for one worker.
pub(crate) struct Api {
    pub base: String,
    pub client: reqwest::Client,
}

/// One response: status, body (JSON, or the text as a JSON string), two headers.
pub(crate) struct Answer {
    pub status: u16,
    pub body: Value,
    pub location: Option<String>,
    pub content_type: Option<String>,
}

impl Api {
    /// A client for the worker at `base` (`http://127.0.0.1:<port>`).
    pub(crate) fn new(base: &str) -> Api {
        Api {
            base: base.to_owned(),
            client: reqwest::Client::new(),
        }
    }

    pub(crate) async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        let url = format!("{}{path}", self.base);
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method, url);
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(serde_json::to_vec(&b).unwrap());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        let content_type = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = resp.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Answer {
            status,
            body,
            location,
            content_type,
        }
    }

    pub(crate) async fn raw(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> Answer {
        let url = format!("{}{path}", self.base);
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let resp = self
            .client
            .request(method, url)
            .header("Content-Type", content_type)
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let body = resp.json::<Value>().await.unwrap_or(Value::Null);
        Answer {
            status,
            body,
            location: None,
            content_type: None,
        }
    }

    pub(crate) async fn wait_for(&self, path: &str, f: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let a = self.call("GET", path, None).await;
            if a.status == 200 && f(&a.body) {
                return a.body;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting on {path}: {} {}",
                a.status,
                a.body
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
