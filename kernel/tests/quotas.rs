//! Quotas: PutQuota, GetQuota, DeleteQuota and SearchQuota with the server's checks (an
//! existing tenant and principal, a positive rate), a tenant's and a principal's quota
//! side by side, and a second put keeping the creation time.

mod common;

use common::*;
use lhw_proto::littlehorse::{
    DeleteQuotaRequest, PrincipalId, PutPrincipalRequest, PutQuotaRequest, PutTenantRequest,
    QuotaId, SearchQuotaRequest, TenantId,
};
use tonic::Code;

fn tenant(id: &str) -> Option<TenantId> {
    Some(TenantId { id: id.into() })
}

fn principal(id: &str) -> Option<PrincipalId> {
    Some(PrincipalId { id: id.into() })
}

fn quota(t: &str, p: Option<&str>, rate: i32) -> PutQuotaRequest {
    PutQuotaRequest {
        tenant: tenant(t),
        principal: p.and_then(principal),
        write_requests_per_second: rate,
    }
}

#[tokio::test]
async fn quotas_of_tenants_and_principals() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dir = tempfile::tempdir().expect("tempdir");
        let kernel = start(dir.path()).await;
        let mut c = client(&kernel).await;
        c.put_tenant(PutTenantRequest {
            id: "acme".into(),
            output_topic_config: None,
        })
        .await
        .expect("tenant");
        c.put_principal(PutPrincipalRequest {
            id: "ci".into(),
            ..Default::default()
        })
        .await
        .expect("principal");

        // The server's checks.
        let err = c.put_quota(quota("acme", None, 0)).await.expect_err("zero");
        assert_eq!(err.code(), Code::InvalidArgument);
        assert_eq!(
            err.message(),
            "write_requests_per_second must be greater than zero"
        );
        let err = c
            .put_quota(quota("nope", None, 5))
            .await
            .expect_err("tenant");
        assert_eq!(err.code(), Code::InvalidArgument);
        assert_eq!(err.message(), "Could not find tenant nope");
        let err = c
            .put_quota(quota("acme", Some("ghost"), 5))
            .await
            .expect_err("principal");
        assert_eq!(err.message(), "Could not find principal ghost");
        let err = c
            .put_quota(PutQuotaRequest {
                tenant: None,
                principal: None,
                write_requests_per_second: 5,
            })
            .await
            .expect_err("no tenant");
        assert_eq!(err.code(), Code::InvalidArgument);

        let t = c
            .put_quota(quota("acme", None, 100))
            .await
            .expect("tenant quota")
            .into_inner();
        assert_eq!(t.write_requests_per_second, 100);
        let p = c
            .put_quota(quota("acme", Some("ci"), 5))
            .await
            .expect("principal quota")
            .into_inner();
        c.put_quota(quota("default", None, 50))
            .await
            .expect("the default tenant exists");
        // A second put changes the rate and keeps the creation time.
        let t2 = c
            .put_quota(quota("acme", None, 20))
            .await
            .expect("update")
            .into_inner();
        assert_eq!(t2.write_requests_per_second, 20);
        assert_eq!(t2.created_at, t.created_at);

        let got = c
            .get_quota(QuotaId {
                tenant: tenant("acme"),
                principal: principal("ci"),
            })
            .await
            .expect("get")
            .into_inner();
        assert_eq!(got, p);
        let err = c
            .get_quota(QuotaId {
                tenant: tenant("default"),
                principal: principal("ci"),
            })
            .await
            .expect_err("no such quota");
        assert_eq!(err.code(), Code::NotFound);

        let search = |tenant_id: Option<&str>, p: Option<&str>| SearchQuotaRequest {
            tenant_id: tenant_id.map(str::to_string),
            principal: p.and_then(principal),
            ..Default::default()
        };
        let all = c
            .search_quota(search(None, None))
            .await
            .expect("all")
            .into_inner();
        assert_eq!(all.results.len(), 3);
        let acme = c
            .search_quota(search(Some("acme"), None))
            .await
            .expect("acme")
            .into_inner();
        assert_eq!(acme.results.len(), 2);
        let ci = c
            .search_quota(search(Some("acme"), Some("ci")))
            .await
            .expect("ci")
            .into_inner();
        assert_eq!(ci.results, vec![p.id.clone().expect("id")]);
        let err = c
            .search_quota(search(None, Some("ci")))
            .await
            .expect_err("principal without tenant");
        assert_eq!(
            err.message(),
            "Must provide tenant_id when searching by principal"
        );

        c.delete_quota(DeleteQuotaRequest { id: p.id.clone() })
            .await
            .expect("deleted");
        // Again: silently, as on the server.
        c.delete_quota(DeleteQuotaRequest { id: p.id.clone() })
            .await
            .expect("silently");
        let acme = c
            .search_quota(search(Some("acme"), None))
            .await
            .expect("acme")
            .into_inner();
        assert_eq!(acme.results.len(), 1);
        kernel.shutdown().await;
    })
    .await
    .expect("within the time limit");
}
