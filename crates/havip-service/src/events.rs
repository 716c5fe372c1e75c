//! Every write of a HaVip goes through [`update_havip`], which records an event when its
//! master changes, in the same transaction: `MasterChanged` with the master before and
//! after and what moved it (`cause`: `arp` with the claim that decided it, or `change`
//! for an association, a disassociation or a failover call).

use havip_core::HaVip;
use havip_store::{NewEvent, Tx};
use serde_json::json;

use crate::ServiceResult;

/// Writes `new` over `old`, and the master change between them as an event.
pub(crate) async fn update_havip(tx: &mut dyn Tx, old: &HaVip, new: &HaVip) -> ServiceResult<()> {
    tx.update_havip(old, new).await?;
    if old.master == new.master {
        return Ok(());
    }
    let by_arp =
        new.master.is_some() && new.master_claim.is_some() && new.master_claim != old.master_claim;
    let claim = if by_arp {
        new.master_claim
            .as_ref()
            .map(|c| json!({"at": c.at, "port": c.port, "mac": c.mac, "kind": c.kind}))
    } else {
        None
    };
    let body = json!({
        "havip": new.id,
        "vip": new.ip.to_string(),
        "from": old.master,
        "to": new.master,
        "cause": if by_arp { "arp" } else { "change" },
        "claim": claim,
    });
    tx.insert_event(&NewEvent {
        at: new
            .master_claim
            .as_ref()
            .filter(|_| by_arp)
            .map_or(new.updated_at, |c| c.at),
        kind: "MasterChanged".into(),
        havip: Some(new.id.clone()),
        account: Some(new.account.clone()),
        region: Some(new.region.clone()),
        body: body.to_string(),
    })
    .await?;
    Ok(())
}
