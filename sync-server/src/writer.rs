//! Group commit of pushes. Every push is acknowledged only after the transaction that stored
//! it is durable (`synchronous = FULL` on SQLite); with one transaction per push, that fsync
//! is most of a push's cost (docs/benchmarks.md). The writer takes the pushes that queued up
//! while the previous commit ran and stores them in one transaction (`sync::store_pushes`),
//! then answers each: one durable commit for all of them. A push that fails is undone alone
//! (the group is stored again with a savepoint per push); if the commit itself fails, every
//! push of the group is answered with a retryable error and nothing of it is stored.

use tokio::sync::{mpsc, oneshot};
use zhifa_protocol::PushResponse;

use crate::db::{Db, DbError};
use crate::error::{AppError, AppResult};
use crate::sync::{self, QueuedPush, SyncConfig};

/// Most pushes stored by one commit.
pub const MAX_GROUP: usize = 32;

struct Job {
    push: QueuedPush,
    reply: oneshot::Sender<AppResult<PushResponse>>,
}

/// Handle to the writer task (cheap to clone).
#[derive(Clone)]
pub struct PushWriter {
    jobs: mpsc::UnboundedSender<Job>,
}

impl PushWriter {
    /// Starts the writer task on the current tokio runtime.
    pub fn start(db: Db, cfg: SyncConfig, city_code: String) -> Self {
        let (jobs, mut rx) = mpsc::unbounded_channel::<Job>();
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut group = vec![first];
                while group.len() < MAX_GROUP {
                    match rx.try_recv() {
                        Ok(j) => group.push(j),
                        Err(_) => break,
                    }
                }
                let (pushes, replies): (Vec<QueuedPush>, Vec<_>) = group.into_iter().map(|j| (j.push, j.reply)).unzip();
                let city = city_code.clone();
                let stored = db.run(move |c| sync::store_pushes(c, &pushes, &cfg, &city)).await;
                match stored {
                    Ok(results) => {
                        for (r, reply) in results.into_iter().zip(replies) {
                            let _ = reply.send(r);
                        }
                    }
                    Err(e) if replies.len() == 1 => {
                        // A push alone: its own error, its transaction rolled back.
                        let _ = replies.into_iter().next().map(|reply| reply.send(Err(e)));
                    }
                    Err(e) => {
                        let why = e.to_string();
                        for reply in replies {
                            let _ = reply.send(Err(AppError::unavailable(DbError::Type(why.clone()))));
                        }
                    }
                }
            }
        });
        Self { jobs }
    }

    /// Stores a push with whatever else is waiting; answers after the commit.
    pub async fn submit(&self, push: QueuedPush) -> AppResult<PushResponse> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job { push, reply }).map_err(|_| AppError::unavailable(DbError::WorkerGone))?;
        answer.await.map_err(|_| AppError::unavailable(DbError::WorkerGone))?
    }
}
