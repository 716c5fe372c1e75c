"""HTTPS: `havip serve --tls-cert --tls-key`, judged by the official SDKs.

A throwaway CA and a server certificate for 127.0.0.1 (an IP SAN) are made at test time.
Each SDK is pointed at the HTTPS listener and told to trust the CA the way its users do:
  Alibaba (new)     Config(protocol="https", ca=CA_FILE)
  Alibaba (legacy)  AcsClient(..., verify=CA_FILE) and request.set_protocol_type("https")
  Volcengine        Configuration.scheme = "https", ssl_ca_cert = CA_FILE
  Huawei            HttpConfig(ignore_ssl_verification=False, ssl_ca_cert=CA_FILE)
and makes one call. The same SDKs without the CA are refused by their own certificate
check, and plain HTTP to the HTTPS port is answered 400 while the server keeps serving.
The keys come in each PEM form that `--tls-key` takes: PKCS#8, RSA (PKCS#1) and SEC1.
"""

import datetime
import ipaddress
import json

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from conftest import AK, SK, HUAWEI_PROJECT

ALI_REGION = "cn-shanghai"
ALI_HAVIP = "havip-uf6demo0001"  # seeded in cn-shanghai
VOLC_REGION = "cn-beijing"


# --- the test PKI ----------------------------------------------------------------------

def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem_key(key, form):
    fmt = {"pkcs8": serialization.PrivateFormat.PKCS8,
           "traditional": serialization.PrivateFormat.TraditionalOpenSSL}[form]
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())


class Pki:
    """A CA, and server certificates it signs for 127.0.0.1, as files in `directory`."""

    def __init__(self, directory):
        self.dir = directory
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        self.ca = (
            x509.CertificateBuilder()
            .subject_name(_name("havip test CA"))
            .issuer_name(_name("havip test CA"))
            .public_key(self.ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.ca_key.public_key()),
                           critical=False)
            .sign(self.ca_key, hashes.SHA256())
        )
        self.ca_file = directory / "ca.crt"
        self.ca_file.write_bytes(self.ca.public_bytes(serialization.Encoding.PEM))

    def server(self, kind="ec-pkcs8"):
        """(certificate file, key file) for 127.0.0.1; `kind` is the key's algorithm and
        PEM form: ec-pkcs8, ec-sec1, rsa-pkcs8 or rsa-pkcs1."""
        algorithm, form = kind.split("-")
        if algorithm == "ec":
            key = ec.generate_private_key(ec.SECP256R1())
        else:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name("127.0.0.1"))
            .issuer_name(self.ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key()),
                           critical=False)
            .sign(self.ca_key, hashes.SHA256())
        )
        cert_file, key_file = self.dir / f"{kind}.crt", self.dir / f"{kind}.key"
        # The chain: the server's certificate, then the CA's.
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM)
                              + self.ca.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(_pem_key(key, "pkcs8" if form == "pkcs8" else "traditional"))
        return cert_file, key_file


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def tls_server(havip_server, pki):
    cert, key = pki.server()
    return havip_server(tls=(cert, key, pki.ca_file))


# --- each SDK over HTTPS ---------------------------------------------------------------

def alibaba_new(server, ca):
    from alibabacloud_tea_openapi import utils_models as open_api_models
    from alibabacloud_vpc20160428.client import Client

    config = open_api_models.Config(access_key_id=AK, access_key_secret=SK, endpoint=server.endpoint,
                                    protocol="https", region_id=ALI_REGION, ca=ca)
    return Client(config)


def alibaba_new_describe(server, ca):
    from alibabacloud_vpc20160428 import models as M
    from darabonba.runtime import RuntimeOptions

    request = M.DescribeHaVipsRequest(region_id=ALI_REGION)
    # No retries: a refused certificate fails at once.
    return alibaba_new(server, ca).describe_ha_vips_with_options(
        request, RuntimeOptions(autoretry=False)).body.to_map()


def alibaba_legacy_describe(server, ca):
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkvpc.request.v20160428 import DescribeHaVipsRequest

    client = AcsClient(AK, SK, ALI_REGION, verify=ca, auto_retry=False)
    client.add_endpoint(ALI_REGION, "Vpc", server.endpoint)
    request = DescribeHaVipsRequest.DescribeHaVipsRequest()
    request.set_protocol_type("https")
    return json.loads(client.do_action_with_exception(request))


def volcengine_describe(server, ca):
    import volcenginesdkcore
    import volcenginesdkvpc

    cfg = volcenginesdkcore.Configuration()
    cfg.ak, cfg.sk, cfg.region = AK, SK, VOLC_REGION
    cfg.host, cfg.scheme = server.endpoint, "https"
    cfg.verify_ssl, cfg.ssl_ca_cert = True, ca
    cfg.auto_retry = False
    api = volcenginesdkvpc.VPCApi(volcenginesdkcore.ApiClient(cfg))
    return api.describe_ha_vips(volcenginesdkvpc.DescribeHaVipsRequest())


def huawei_list_ports(server, ca):
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdkvpc.v2 import NeutronListPortsRequest, VpcClient

    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = False
    config.ssl_ca_cert = ca
    client = (VpcClient.new_builder().with_credentials(BasicCredentials(AK, SK, HUAWEI_PROJECT))
              .with_http_config(config).with_endpoints([f"https://{server.endpoint}"]).build())
    return client.neutron_list_ports(NeutronListPortsRequest(limit=5))


def test_the_listener_says_https(tls_server):
    # Server.start read `listening on https://127.0.0.1:PORT` as the first line.
    assert tls_server.url("/healthz").startswith("https://")
    assert tls_server.native("GET", "/healthz").status_code == 200


def test_alibaba_new_sdk_over_https(tls_server, pki):
    body = alibaba_new_describe(tls_server, str(pki.ca_file))
    assert ALI_HAVIP in [h["HaVipId"] for h in body["HaVips"]["HaVip"]]


def test_alibaba_legacy_sdk_over_https(tls_server, pki):
    body = alibaba_legacy_describe(tls_server, str(pki.ca_file))
    assert ALI_HAVIP in [h["HaVipId"] for h in body["HaVips"]["HaVip"]]


def test_volcengine_sdk_over_https(tls_server, pki):
    answer = volcengine_describe(tls_server, str(pki.ca_file))
    assert isinstance(answer.ha_vips, list)
    assert answer.total_count == len(answer.ha_vips)


def test_huawei_sdk_over_https(tls_server, pki):
    answer = huawei_list_ports(tls_server, str(pki.ca_file))
    assert isinstance(answer.ports, list) and answer.ports


# --- refusals ----------------------------------------------------------------------------

CALLS = {
    "alibaba-new": alibaba_new_describe,
    "alibaba-legacy": alibaba_legacy_describe,
    "volcengine": volcengine_describe,
    "huawei": huawei_list_ports,
}


@pytest.mark.parametrize("sdk", list(CALLS))
def test_an_sdk_without_the_ca_is_refused(tls_server, sdk, monkeypatch):
    # Only the system's trust store: the test CA is not in it.
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "ALIBABA_CLOUD_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    # No CA given: each SDK verifies with its default trust store.
    with pytest.raises(Exception) as info:
        CALLS[sdk](tls_server, None)
    assert "certificate verify failed" in str(info.value).lower(), repr(info.value)
    # The server is none the worse.
    assert tls_server.native("GET", "/healthz").status_code == 200


def test_plain_http_to_the_https_port_is_refused_and_serving_goes_on(tls_server, pki):
    plain = f"http://{tls_server.endpoint}/healthz"
    for _ in range(3):
        r = requests.get(plain, timeout=10)
        assert r.status_code == 400
        assert "HTTPS" in r.text
    # An SDK left on http fails cleanly too.
    import volcenginesdkcore
    import volcenginesdkvpc
    from volcenginesdkcore.rest import ApiException

    cfg = volcenginesdkcore.Configuration()
    cfg.ak, cfg.sk, cfg.region = AK, SK, VOLC_REGION
    cfg.host, cfg.scheme, cfg.auto_retry = tls_server.endpoint, "http", False
    with pytest.raises(ApiException) as info:
        volcenginesdkvpc.VPCApi(volcenginesdkcore.ApiClient(cfg)).describe_ha_vips(
            volcenginesdkvpc.DescribeHaVipsRequest())
    assert info.value.status == 400
    assert tls_server.proc.poll() is None
    assert alibaba_new_describe(tls_server, str(pki.ca_file))["HaVips"]["HaVip"]


@pytest.mark.parametrize("kind", ["ec-pkcs8", "ec-sec1", "rsa-pkcs8", "rsa-pkcs1"])
def test_every_pem_key_form_serves(havip_server, pki, kind):
    cert, key = pki.server(kind)
    marker = {"ec-pkcs8": b"BEGIN PRIVATE KEY", "ec-sec1": b"BEGIN EC PRIVATE KEY",
              "rsa-pkcs8": b"BEGIN PRIVATE KEY", "rsa-pkcs1": b"BEGIN RSA PRIVATE KEY"}[kind]
    assert marker in key.read_bytes()
    server = havip_server(tls=(cert, key, pki.ca_file))
    assert requests.get(server.url("/healthz"), verify=str(pki.ca_file), timeout=10).status_code == 200


def test_a_key_that_is_not_the_certificates_is_refused_by_name(pki, tmp_path):
    import subprocess

    from conftest import havip_binary

    cert, _ = pki.server("ec-pkcs8")
    _, other_key = pki.server("rsa-pkcs1")
    out = subprocess.run([havip_binary(), "serve", "--listen", "127.0.0.1:0", "--data-dir", str(tmp_path / "d"),
                          "--tls-cert", str(cert), "--tls-key", str(other_key)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert str(other_key) in out.stderr and "does not match" in out.stderr, out.stderr
