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

/// The face profiles the tests call with: the rules of the Alibaba, Volcengine and Huawei
/// faces (each face crate supplies its own; these mirror them, as a face would).
#[allow(dead_code)]
pub mod profiles {
    use std::sync::Arc;

    use havip_core::{Charset, Limits, Profile, TextRule};

    fn limits(members: u32, per_instance: u32, quota: u32) -> Limits {
        Limits {
            instances_per_havip: members,
            havips_per_instance: per_instance,
            havips_per_region: quota,
            master_needs_force: false,
            processing_is_error: false,
        }
    }

    /// Two members per HaVip, five HaVips per instance, 50 per region; the master needs
    /// Force; names of 1–128 and descriptions of 1–255 characters, neither a URL.
    pub fn pair() -> Profile {
        let urlless = |max| TextRule {
            no_url_prefix: true,
            ..TextRule::length(1, max)
        };
        Profile {
            limits: Limits {
                master_needs_force: true,
                ..limits(2, 5, 50)
            },
            name: urlless(128),
            description: urlless(255),
            reserved_tag_prefixes: vec!["aliyun".into(), "acs:".into()],
            shows_transient_status: true,
            havip_ids: havip_core::IdShape::default(),
        }
    }

    /// [`pair`] with a quota of `quota` HaVips per account and region.
    pub fn pair_with_quota(quota: u32) -> Profile {
        let mut p = pair();
        p.limits.havips_per_region = quota;
        p
    }

    /// Ten members, five HaVips per instance, 20 per region; a retry of a change in
    /// flight is an error; word-like names; settled statuses shown.
    pub fn wide() -> Profile {
        Profile {
            limits: Limits {
                processing_is_error: true,
                ..limits(10, 5, 20)
            },
            name: TextRule {
                charset: Charset::Words {
                    extra: vec!['.', '_', '-'],
                },
                ..TextRule::length(1, 128)
            },
            reserved_tag_prefixes: vec!["aliyun".into(), "acs:".into()],
            shows_transient_status: false,
            ..Profile::plain(limits(10, 5, 20))
        }
    }

    /// Ten members, eight VIPs per NIC, 50 per region; names of 0–255 characters.
    pub fn ports() -> Profile {
        Profile {
            reserved_tag_prefixes: vec!["aliyun".into(), "acs:".into()],
            ..Profile::plain(limits(10, 8, 50))
        }
    }

    pub fn arc(p: Profile) -> Arc<Profile> {
        Arc::new(p)
    }
}
