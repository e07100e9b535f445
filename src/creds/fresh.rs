//! Credentials for one plan, kept fresh: the entry point for a process that outlives the
//! credentials it started with (a credential server).
//!
//! It holds the last credentials it handed out and goes back to the chain only when they
//! are inside the refresh margin; the chain then reads the cache and, on a miss, calls STS
//! under the step's lock, exactly as a `runas` started afresh would. So a server and the
//! commands around it share one cache, one set of locks and one MFA code.

use super::{Credentials, Execution, Options};
use crate::error::Result;
use crate::profile::chain::Chain;
use aws_types::os_shim_internal::Env;
use std::time::{Duration, SystemTime};

pub struct Fresh {
    execution: Execution,
    current: Credentials,
    /// When `current` was obtained: a margin not below what was left of them then is
    /// halved, so that a margin longer than they live does not refresh on every request.
    obtained: SystemTime,
}

impl Fresh {
    /// Obtains the credentials now, so that an MFA prompt happens at start, on the terminal
    /// of the person who started it, and not inside some later request.
    pub fn start(chain: Chain, options: Options, env: &Env) -> Result<Fresh> {
        let mut execution = Execution::new(chain, options, env);
        let current = execution.credentials()?;
        // `-r` asked for credentials newer than the cache's at start; later refreshes may
        // use what another runas has just cached. A one-time code from `--otp`/`MFA_CODE`
        // is spent: a later refresh that needs MFA asks `mfa_process` or the terminal.
        execution.options.refresh = false;
        execution.options.otp = None;
        Ok(Fresh {
            execution,
            current,
            obtained: SystemTime::now(),
        })
    }

    /// Credentials good for the refresh margin: the ones in memory while they are, else
    /// the chain's (cache, then STS under the lock).
    pub fn get(&mut self) -> Result<Credentials> {
        let lifetime = self
            .current
            .expiration
            .and_then(|e| e.duration_since(self.obtained).ok());
        let margin = self.execution.cache.margin_within(lifetime);
        if !self.current.fresh_for(margin) {
            self.current = self.execution.credentials()?;
            self.obtained = SystemTime::now();
        }
        Ok(self.current.clone())
    }

    /// The last credentials obtained, fresh or not.
    pub fn current(&self) -> &Credentials {
        &self.current
    }

    pub fn margin(&self) -> Duration {
        self.execution.cache.margin()
    }

    pub fn chain(&self) -> &Chain {
        &self.execution.chain
    }

    /// The role the credentials belong to, when the plan ends in one.
    pub fn role_arn(&self) -> Option<&crate::arn::RoleArn> {
        self.chain().role_arn()
    }

    /// The account the credentials belong to, when the plan says it.
    pub fn account(&self) -> Option<&str> {
        self.chain().account()
    }
}
