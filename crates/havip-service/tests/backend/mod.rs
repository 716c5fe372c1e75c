//! The stores the service tests run on: SQLite in a temporary directory, and PostgreSQL in
//! a schema of its own per test (so tests run in parallel) when `HAVIP_TEST_DATABASE_URL`
//! is set. `on_every_store!(test_fn, ...)` makes one test per store for each function.

use std::sync::Arc;

use havip_store::postgres::{PgSettings, PgStore};
use havip_store::sqlite::SqliteStore;
use havip_store::Store;

pub enum Backend {
    Sqlite(tempfile::TempDir),
    Postgres { url: String },
}

impl Backend {
    pub fn sqlite() -> Self {
        Backend::Sqlite(tempfile::tempdir().expect("temporary directory"))
    }

    /// A fresh schema in the test database, or `None` when none is configured.
    pub async fn postgres() -> Option<Self> {
        let base = std::env::var("HAVIP_TEST_DATABASE_URL").ok()?;
        let schema = format!("havip_t_{}", uuid::Uuid::new_v4().simple());
        let pool = sqlx::PgPool::connect(&base).await.expect("test database");
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&pool)
            .await
            .expect("create schema");
        pool.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        Some(Backend::Postgres {
            url: format!("{base}{sep}options[search_path]={schema}"),
        })
    }

    /// Opens the store (again: a second call is a restart on the same data).
    pub async fn open(&self) -> Arc<dyn Store> {
        match self {
            Backend::Sqlite(dir) => {
                Arc::new(SqliteStore::open(dir.path()).await.expect("sqlite store"))
            }
            Backend::Postgres { url } => Arc::new(
                PgStore::connect(url, &PgSettings::default())
                    .await
                    .expect("postgres store"),
            ),
        }
    }
}

macro_rules! on_every_store {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Backend::sqlite()).await
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    match super::Backend::postgres().await {
                        Some(b) => super::$name(b).await,
                        None => eprintln!("skipped: set HAVIP_TEST_DATABASE_URL to run this test on PostgreSQL"),
                    }
                }
            )*
        }
    };
}

pub(crate) use on_every_store;
