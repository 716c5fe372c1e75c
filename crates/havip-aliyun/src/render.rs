//! Response bodies: JSON by default, XML when the request says `Format=XML`. Success is
//! 200 with `RequestId` plus the operation's fields (`<{Action}Response>` in XML); an error
//! is its status with `RequestId`, `HostId`, `Code`, `Message` and `Recommend` (`<Error>`).
//! Every answer carries the `x-acs-request-id` header.

use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use serde_json::{Map, Value};

use crate::errors::ErrorReply;

pub const JSON_CONTENT_TYPE: &str = "application/json;charset=utf-8";
/// The only XML content type the new SDK parses error bodies from.
pub const XML_CONTENT_TYPE: &str = "text/xml;charset=utf-8";
const XML_DECLARATION: &str = "<?xml version='1.0' encoding='UTF-8'?>";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// `Format=XML` (any case) asks for XML; anything else is JSON.
    pub fn from_param(value: Option<&str>) -> Format {
        match value {
            Some(v) if v.eq_ignore_ascii_case("xml") => Format::Xml,
            _ => Format::Json,
        }
    }
}

fn respond(status: StatusCode, format: Format, request_id: &str, body: String) -> Response {
    let content_type = match format {
        Format::Json => JSON_CONTENT_TYPE,
        Format::Xml => XML_CONTENT_TYPE,
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("x-acs-request-id", v);
    }
    response
}

/// A success answer: `fields` (an object) plus `RequestId`.
pub fn success(action: &str, fields: Value, request_id: &str, format: Format) -> Response {
    let body = success_body(action, fields, request_id, format);
    respond(StatusCode::OK, format, request_id, body)
}

/// The body of a successful answer: the fields and `RequestId`, in JSON or XML.
pub fn success_body(action: &str, fields: Value, request_id: &str, format: Format) -> String {
    let mut object = match fields {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    object.insert("RequestId".into(), Value::String(request_id.to_string()));
    match format {
        Format::Json => Value::Object(object).to_string(),
        Format::Xml => {
            let mut out = String::from(XML_DECLARATION);
            write_element(
                &mut out,
                &format!("{action}Response"),
                &Value::Object(object),
            );
            out
        }
    }
}

/// The body of an error, as a JSON object (the XML form has the same fields).
pub fn error_fields(reply: &ErrorReply, request_id: &str, host: &str) -> Value {
    let mut m = Map::new();
    m.insert("RequestId".into(), request_id.into());
    m.insert("HostId".into(), host.into());
    m.insert("Code".into(), reply.code.clone().into());
    m.insert("Message".into(), reply.message.clone().into());
    m.insert(
        "Recommend".into(),
        format!(
            "https://api.aliyun.com/troubleshoot?q={}&product=Vpc",
            reply.code
        )
        .into(),
    );
    Value::Object(m)
}

pub fn error(reply: &ErrorReply, request_id: &str, host: &str, format: Format) -> Response {
    let fields = error_fields(reply, request_id, host);
    let body = match format {
        Format::Json => fields.to_string(),
        Format::Xml => {
            let mut out = String::from(XML_DECLARATION);
            out.push_str("<Error>");
            // Fixed order, as Alibaba sends it.
            for key in ["RequestId", "HostId", "Code", "Message", "Recommend"] {
                if let Some(v) = fields.get(key) {
                    write_element(&mut out, key, v);
                }
            }
            out.push_str("</Error>");
            out
        }
    };
    respond(reply.status, format, request_id, body)
}

/// `<name>value</name>`; an array repeats the element once per item (so
/// `"HaVips": {"HaVip": [a, b]}` is `<HaVips><HaVip>a</HaVip><HaVip>b</HaVip></HaVips>`).
pub fn write_element(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Array(items) => {
            for item in items {
                write_element(out, name, item);
            }
        }
        Value::Object(map) => {
            out.push('<');
            out.push_str(name);
            out.push('>');
            for (k, v) in map {
                write_element(out, k, v);
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
        scalar => {
            out.push('<');
            out.push_str(name);
            out.push('>');
            match scalar {
                Value::String(s) => escape_into(out, s),
                Value::Null => {}
                other => escape_into(out, &other.to_string()),
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
    }
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn xml_repeats_list_items() {
        let mut out = String::new();
        write_element(
            &mut out,
            "DescribeHaVipsResponse",
            &json!({"HaVips": {"HaVip": [{"HaVipId": "a"}, {"HaVipId": "b<"}]}, "TotalCount": 2}),
        );
        assert_eq!(
            out,
            "<DescribeHaVipsResponse><HaVips><HaVip><HaVipId>a</HaVipId></HaVip><HaVip><HaVipId>b&lt;</HaVipId></HaVip></HaVips><TotalCount>2</TotalCount></DescribeHaVipsResponse>"
        );
    }

    #[test]
    fn format_param_ignores_case() {
        assert_eq!(Format::from_param(Some("XML")), Format::Xml);
        assert_eq!(Format::from_param(Some("xml")), Format::Xml);
        assert_eq!(Format::from_param(Some("JSON")), Format::Json);
        assert_eq!(Format::from_param(None), Format::Json);
    }
}
