//! `--demo`: seeds the 吕梁 demo organisation, officers (with a printed demo password)
//! and ledger through the normal merge path, idempotently.

use ring::rand::SystemRandom;
use serde::Serialize;
use zhifa_auth::{PasswordParams, Principal, Scope};
use zhifa_core::change::{Change, ChangeOp, EntityKind};
use zhifa_core::hlc::HlcClock;
use zhifa_core::ids::{ChangeId, DeviceId};
use zhifa_protocol::{PushRequest, WireChange};
use zhifa_seed::demo::{DemoSize, generate};

use crate::auth::{Account, upsert_account};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::sync::{self, SyncConfig};

pub use zhifa_seed::demo::DEMO_PASSWORD;

/// The pseudo-device that writes seeded records.
pub fn seed_device() -> DeviceId {
    DeviceId::from_parts(1_767_225_600_000, *b"zhifa-seed")
}

/// A demo account to print.
#[derive(Debug, Clone, Serialize)]
pub struct DemoAccount {
    /// Login.
    pub login: String,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Roles (Chinese).
    pub roles: String,
}

fn change<T: Serialize>(kind: EntityKind, id: String, v: &T, clock: &mut HlcClock, n: u64) -> AppResult<Change> {
    let serde_json::Value::Object(map) = serde_json::to_value(v).map_err(AppError::internal)? else {
        return Err(AppError::internal(std::io::Error::other("not an object")));
    };
    let mut r = [0u8; 10];
    r[..8].copy_from_slice(&n.to_le_bytes());
    Ok(Change {
        id: ChangeId::from_parts(1_767_225_600_000 + n, r),
        entity: kind,
        entity_id: id,
        op: ChangeOp::Upsert,
        fields: map.into_iter().collect(),
        hlc: clock.tick(1_767_225_600_000),
        base: Default::default(),
        county_code: None,
        wall_ms: 1_767_225_600_000,
    })
}

/// Seeds the demo data; returns accounts to print. Running it again changes nothing.
pub async fn seed(db: &Db, enterprises: usize, password: &PasswordParams) -> AppResult<Vec<DemoAccount>> {
    let area = zhifa_core::division::Area::luliang();
    let d = generate(&area, 2026, DemoSize { enterprises, ..DemoSize::default() });
    let device = seed_device();
    let mut clock = HlcClock::new(device);
    let mut changes = Vec::new();
    let mut n = 0u64;
    let mut push = |kind, id: String, v: &dyn erased::Ser| -> AppResult<()> {
        n += 1;
        changes.push(change(kind, id, &erased::Wrap(v), &mut clock, n)?);
        Ok(())
    };
    for o in &d.organisations {
        push(EntityKind::Organisation, o.id.to_string(), o)?;
    }
    for (id, e) in d.enterprise_ids.iter().zip(&d.enterprises) {
        push(EntityKind::Enterprise, id.to_string(), &zhifa_core::enterprise::Enterprise { id: *id, data: e.clone() })?;
    }
    for o in &d.officers {
        push(EntityKind::Officer, o.id.to_string(), o)?;
    }
    for p in &d.plans {
        push(EntityKind::Plan, p.id.to_string(), p)?;
    }
    for t in &d.tasks {
        push(EntityKind::Task, t.id.to_string(), t)?;
    }
    let hash = {
        let p = *password;
        tokio::task::spawn_blocking(move || zhifa_auth::hash_password(DEMO_PASSWORD, &p, &SystemRandom::new()))
            .await
            .map_err(AppError::internal)??
    };
    let mut accounts = Vec::new();
    let mut shown = Vec::new();
    for o in &d.officers {
        let org = d.organisations.iter().find(|g| g.id == o.org).expect("officer's org exists");
        let county = (org.division_code != area.city.code).then(|| org.division_code.clone());
        accounts.push(Account {
            id: o.id.to_string(),
            login: o.cert_no.clone(),
            name: o.name.clone(),
            roles: o.roles.iter().map(|r| r.as_str().to_owned()).collect(),
            county_code: county,
        });
        if org.division_code == area.city.code || org.division_code == "141181" {
            shown.push(DemoAccount {
                login: o.cert_no.clone(),
                name: o.name.clone(),
                unit: org.name.clone(),
                roles: o.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join("、"),
            });
        }
    }
    let cfg = SyncConfig::default();
    let seed_principal =
        Principal { officer_id: "seed".into(), roles: vec![], scope: Scope::city_wide(), device_id: None };
    let wire: Vec<WireChange> =
        changes.iter().enumerate().map(|(i, c)| WireChange::from_core(i as i64 + 1, c)).collect();
    db.tx(move |tx| {
        for a in &accounts {
            upsert_account(tx, a, &hash)?;
        }
        for chunk in wire.chunks(cfg.max_batch) {
            let req = PushRequest {
                device_id: device.to_string(),
                schema_version: 1,
                changes: chunk.to_vec(),
                extra: Default::default(),
            };
            // The server's own seed: kept in the audit trail like any batch, unsigned.
            let body = serde_json::to_vec(&req).map_err(AppError::internal)?;
            let prepared = sync::prepare_push(&req, sync::SignedBody { body: &body, signature: "" }, &cfg)?;
            sync::push(tx, &seed_principal, &prepared, 1_767_225_600_000, &cfg, "141100")?;
        }
        Ok(())
    })
    .await?;
    Ok(shown)
}

/// Type erasure for the mixed entity list above.
mod erased {
    pub(super) trait Ser {
        fn value(&self) -> serde_json::Result<serde_json::Value>;
    }
    impl<T: serde::Serialize> Ser for T {
        fn value(&self) -> serde_json::Result<serde_json::Value> {
            serde_json::to_value(self)
        }
    }
    pub(super) struct Wrap<'a>(pub(super) &'a dyn Ser);
    impl serde::Serialize for Wrap<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            self.0.value().map_err(serde::ser::Error::custom)?.serialize(s)
        }
    }
}
