//! [`record_endpoints!`](crate::record_endpoints): the eight endpoints of a
//! kind of record, declared in one place per kind.

/// Declare the handlers of a kind of record that implements
/// [`RecordApi`](crate::records::api::RecordApi): list, create, get, update,
/// delete, history, redact and erase, each with its OpenAPI operation. The
/// handlers are thin: they extract, authorise by role, and call the generic
/// bodies of [`crate::records::api`].
///
/// The calling module must import `actix_web::{delete, get, patch, post}`
/// (utoipa recognises the route attributes by their bare names), the
/// policies, and the `view`, `page`, `input`, `patch` and `filters` types.
#[macro_export]
macro_rules! record_endpoints {
    (
        $record:ty, tag $tag:literal, view $view:ident, page $page:ident, input $input:ident,
        patch $patch:ident, filters $filters:ident, readers $readers:ident, writers $writers:ident,
        $(conflict $conflict:literal,)?
        $collection:literal => [$list:ident, $create:ident],
        $item:literal => [$get:ident, $update:ident, $delete:ident],
        $history_path:literal => $history:ident, $redact_path:literal => $redact:ident,
        $erase_path:literal => $erase:ident
    ) => {
        #[utoipa::path(
            tag = $tag,
            summary = $crate::records::docs::list::<$record>(),
            params($crate::http::list::ListParams, $filters),
            responses((status = 200, description = "A page.", body = $page))
        )]
        #[get($collection)]
        pub async fn $list(
            state: $crate::records::api::State,
            user: $crate::auth::Authorized<$readers>,
            page: $crate::http::query::Query<$crate::http::list::ListParams>,
            filters: $crate::http::query::Query<$filters>,
            today: $crate::calendar::Today,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            let (items, total, paging) = $crate::records::api::list::<$record>(
                &state, user.0, &page, filters.into_inner(), today,
            )
            .await?;
            Ok(actix_web::HttpResponse::Ok().json($page::of(items, total, &paging)))
        }

        #[utoipa::path(
            tag = $tag,
            summary = $crate::records::docs::create::<$record>(),
            request_body = $input,
            params(("Idempotency-Key" = Option<String>, Header,
                description = "Makes retries safe: a repeat with the same key and body returns the record as it is now.")),
            responses(
                (status = 201, description = "Created.", body = $view,
                    headers(("Location" = String, description = "Its URL."), ("ETag" = String, description = "Its version."))),
                $((status = 409, description = $conflict, body = $crate::error::Problem, content_type = "application/problem+json"),)?
            )
        )]
        #[post($collection)]
        pub async fn $create(
            state: $crate::records::api::State,
            user: $crate::auth::Authorized<$writers>,
            req: actix_web::HttpRequest,
            key: $crate::http::idempotency::IdempotencyKey,
            body: $crate::http::json::ValidJson<$input>,
            today: $crate::calendar::Today,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::records::api::create::<$record>(&state, user.0, &req, &key, body, today).await
        }

        #[utoipa::path(
            tag = $tag,
            summary = $crate::records::docs::get::<$record>(),
            params(("id" = i64, Path, description = "Its id.")),
            responses((status = 200, description = "Found.", body = $view,
                headers(("ETag" = String, description = "Its version; send it as `If-Match` when changing it."))))
        )]
        #[get($item)]
        pub async fn $get(
            state: $crate::records::api::State,
            user: $crate::auth::Authorized<$readers>,
            id: actix_web::web::Path<i64>,
            today: $crate::calendar::Today,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::records::api::get::<$record>(&state, user.0, id.into_inner(), today).await
        }

        #[utoipa::path(
            tag = $tag,
            summary = $crate::records::docs::update::<$record>(),
            request_body = $patch,
            params(("id" = i64, Path, description = "Its id."),
                ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if it has changed since.")),
            responses(
                (status = 200, description = "Changed.", body = $view, headers(("ETag" = String, description = "Its new version."))),
                $((status = 409, description = $conflict, body = $crate::error::Problem, content_type = "application/problem+json"),)?
                (status = 412, description = "It changed since the `If-Match` version.", body = $crate::error::Problem, content_type = "application/problem+json"),
            )
        )]
        #[patch($item)]
        pub async fn $update(
            state: $crate::records::api::State,
            user: $crate::auth::Authorized<$writers>,
            id: actix_web::web::Path<i64>,
            if_match: $crate::http::etag::IfMatch,
            body: $crate::http::json::PatchJson<$patch>,
            today: $crate::calendar::Today,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::records::api::update::<$record>(&state, user.0, id.into_inner(), if_match, body.patch, today).await
        }

        #[utoipa::path(
            tag = $tag,
            summary = $crate::records::docs::delete::<$record>(),
            params(("id" = i64, Path, description = "Its id."),
                ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if it has changed since.")),
            responses(
                (status = 204, description = "Deleted."),
                (status = 412, description = "It changed since the `If-Match` version.", body = $crate::error::Problem, content_type = "application/problem+json"),
            )
        )]
        #[delete($item)]
        pub async fn $delete(
            state: $crate::records::api::State,
            user: $crate::auth::Authorized<$crate::auth::Managers>,
            id: actix_web::web::Path<i64>,
            if_match: $crate::http::etag::IfMatch,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::records::api::delete::<$record>(&state, user.0, id.into_inner(), if_match).await
        }

        #[utoipa::path(
            tag = $tag,
            summary = $crate::records::docs::history::<$record>(),
            params(("id" = i64, Path, description = "Its id."), $crate::http::list::ListParams),
            responses((status = 200, description = "Its history.", body = $crate::audit::HistoryPage))
        )]
        #[get($history_path)]
        pub async fn $history(
            state: $crate::records::api::State,
            user: $crate::auth::Authorized<$readers>,
            id: actix_web::web::Path<i64>,
            page: $crate::http::query::Query<$crate::http::list::ListParams>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::records::api::history::<$record>(&state, user.0, id.into_inner(), &page).await
        }

        #[utoipa::path(
            tag = $tag,
            summary = $crate::records::docs::redact::<$record>(),
            params(("id" = i64, Path, description = "Its id.")),
            responses(
                (status = 200, description = "Redacted.", body = $view),
                (status = 204, description = "It had been deleted; its history is redacted."),
            )
        )]
        #[post($redact_path)]
        pub async fn $redact(
            state: $crate::records::api::State,
            user: $crate::auth::Authorized<$crate::auth::Managers>,
            id: actix_web::web::Path<i64>,
            today: $crate::calendar::Today,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::records::api::redact::<$record>(&state, user.0, id.into_inner(), today).await
        }

        #[utoipa::path(
            tag = $tag,
            summary = $crate::records::docs::erase::<$record>(),
            params(("id" = i64, Path, description = "Its id."),
                ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if it has changed since.")),
            request_body = $crate::records::erasure::ErasureRequest,
            responses(
                (status = 200, description = "Erased: what it reached.", body = $crate::records::erasure::Erasure),
                (status = 412, description = "It changed since the `If-Match` version.", body = $crate::error::Problem, content_type = "application/problem+json"),
            )
        )]
        #[post($erase_path)]
        pub async fn $erase(
            state: $crate::records::api::State,
            user: $crate::auth::Authorized<$crate::auth::Managers>,
            id: actix_web::web::Path<i64>,
            if_match: $crate::http::etag::IfMatch,
            today: $crate::calendar::Today,
            body: $crate::http::json::ValidJson<$crate::records::erasure::ErasureRequest>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::records::api::erase::<$record>(&state, user.0, id.into_inner(), if_match, today, body.value).await
        }
    };
}

/// Declare the schema of a merge-patch body for `$input`: the same fields,
/// none required (a patch sends only what changes; `null` clears). So a
/// field is declared once, on the input.
#[macro_export]
macro_rules! patch_schema {
    ($(#[$meta:meta])* $name:ident for $input:ty) => {
        $(#[$meta])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::Schema;
                match <$input as utoipa::PartialSchema>::schema() {
                    utoipa::openapi::RefOr::T(Schema::Object(mut object)) => {
                        object.required.clear();
                        object.description = Some(format!(
                            "Changes to {} (JSON merge patch): send only the fields that change; \
                             `null` clears an optional field. The fields are those of `{}`.",
                            stringify!($name).trim_end_matches("Patch"),
                            <$input as utoipa::ToSchema>::name(),
                        ));
                        utoipa::openapi::RefOr::T(Schema::Object(object))
                    }
                    other => other,
                }
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }

            fn schemas(
                schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>,
            ) {
                <$input as utoipa::ToSchema>::schemas(schemas);
            }
        }

        impl $crate::http::json::PatchBody for $name {
            const READ_ONLY: &'static [&'static str] =
                <$input as $crate::http::json::RequestBody>::READ_ONLY;
        }
    };
}

/// Declare what a kind of record's view shares: it reads as its writable
/// fields (`view.kind`, through `Deref` to the flattened `fields`), and its
/// page type.
#[macro_export]
macro_rules! record_view {
    ($view:ident reads $input:ty, page $page:ident, $doc:literal) => {
        impl std::ops::Deref for $view {
            type Target = $input;
            fn deref(&self) -> &$input {
                &self.fields
            }
        }

        $crate::page_type!(
            #[doc = $doc]
            $page,
            $view
        );
    };
}
