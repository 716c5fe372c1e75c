//! [`PortTx`] for the SQLite store: one JSON row per port in `port_attrs`.

use async_trait::async_trait;
use sqlx::Row;

use super::{map_err, SqliteTx};
use crate::ports::{PortAttrs, PortTx};
use crate::{StoreError, StoreResult};

#[async_trait]
impl PortTx for SqliteTx {
    async fn port_attrs(&mut self, port: &str) -> StoreResult<Option<PortAttrs>> {
        let row = sqlx::query("SELECT body FROM port_attrs WHERE port_id = $1")
            .bind(port)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(map_err)?;
        let Some(row) = row else { return Ok(None) };
        let body: String = row.try_get("body").map_err(map_err)?;
        serde_json::from_str(&body)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("port attributes: {e}")))
    }

    async fn put_port_attrs(&mut self, port: &str, attrs: &PortAttrs) -> StoreResult<()> {
        let body = serde_json::to_string(attrs).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let q = sqlx::query(
            "INSERT INTO port_attrs (port_id, body) VALUES ($1, $2) \
             ON CONFLICT (port_id) DO UPDATE SET body = excluded.body",
        )
        .bind(port)
        .bind(body);
        self.exec(q).await.map(|_| ())
    }

    async fn delete_port_attrs(&mut self, port: &str) -> StoreResult<()> {
        let q = sqlx::query("DELETE FROM port_attrs WHERE port_id = $1").bind(port);
        self.exec(q).await.map(|_| ())
    }
}
