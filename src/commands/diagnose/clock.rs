//! The clock check of `runas diagnose`: STS refuses signatures made more than five
//! minutes off its clock, and says so in words that blame the credentials.

use super::{Context, Report};
use crate::creds::sts::Sts;
use crate::error::{Error, Result};
use crate::sdk::Failure;
use aws_sdk_sts::config::interceptors::BeforeDeserializationInterceptorContextRef;
use aws_sdk_sts::config::{ConfigBag, Intercept, RuntimeComponents};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Clocks further apart than this make AWS refuse signed requests.
const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

pub(super) fn check(context: &mut Context, report: &mut Report) {
    let Some(execution) = &context.execution else {
        report.note("clock not compared with STS (the profile does not resolve)");
        return;
    };
    let network = execution.network();
    let server = Sts::new(network, None).and_then(|sts| network.block_on(server_time(&sts))?);
    match server {
        Ok(server) => {
            let now = SystemTime::now();
            let skew = now
                .duration_since(server)
                .or_else(|_| server.duration_since(now))
                .unwrap_or_default();
            if skew > MAX_SKEW {
                report.problem(format!(
                    "this machine's clock is {} minutes off STS's; AWS refuses signatures more than 5 minutes off: set the time (NTP)",
                    (skew.as_secs() + 30) / 60
                ));
            } else {
                report.ok(format!("clock within {}s of STS's", skew.as_secs()));
            }
        }
        Err(e) => report.problem(format!("cannot compare clocks with STS: {e}")),
    }
}

/// Keeps the `Date` header of the answer, whatever the answer is.
#[derive(Debug, Default, Clone)]
struct DateHeader(Arc<Mutex<Option<String>>>);

impl Intercept for DateHeader {
    fn name(&self) -> &'static str {
        "DateHeader"
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> std::result::Result<(), Box<dyn std::error::Error + Send + Sync>> {
        if let (Some(date), Ok(mut slot)) =
            (context.response().headers().get("date"), self.0.lock())
        {
            *slot = Some(date.to_owned());
        }
        Ok(())
    }
}

/// The time on STS's clock, from the `Date` header of any answer. The request is signed
/// with made-up keys: STS's refusal carries the header too, and the user's credentials
/// (and MFA) are not needed to compare clocks.
async fn server_time(sts: &Sts) -> Result<SystemTime> {
    let header = DateHeader::default();
    let outcome = sts
        .client
        .get_caller_identity()
        .customize()
        .config_override(
            aws_sdk_sts::config::Builder::default()
                .credentials_provider(aws_credential_types::Credentials::new(
                    "AKIDRUNASCLOCKCHECK",
                    "not-a-secret",
                    None,
                    None,
                    "clock-check",
                ))
                .retry_config(aws_sdk_sts::config::retry::RetryConfig::disabled()),
        )
        .interceptor(header.clone())
        .send()
        .await;
    let date = header.0.lock().ok().and_then(|d| d.clone());
    let fail = |message: String| Error::Credentials {
        what: "reading STS's clock".into(),
        message,
    };
    match (date, outcome) {
        (Some(date), _) => aws_smithy_types::DateTime::from_str(
            &date,
            aws_smithy_types::date_time::Format::HttpDate,
        )
        .ok()
        .and_then(|t| SystemTime::try_from(t).ok())
        .ok_or_else(|| fail(format!("the Date header `{date}` is not an HTTP date"))),
        (None, Err(e)) => Err(fail(
            Failure::of(&e).sentence(&sts.service, |_| String::new()),
        )),
        (None, Ok(_)) => Err(fail("STS answered without a Date header".into())),
    }
}
