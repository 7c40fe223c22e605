// The readers of API server answers: the Status behind every error message, and discovery's APIGroup,
// APIResourceList, VirtualService CRD and /version. Real answers of the test cluster (the fuzz seeds in
// tests/fuzz/corpus/kubeapi) and the broken ones fuzz_kubeapi found or that were written to check its
// findings.
#include "kube/discovery.h"
#include "kube/status.h"
#include "testsupport.h"

#include <QTest>

#include <nlohmann/json.hpp>

using namespace lanedeck;
using namespace lanedeck::kube;
using nlohmann::json;

namespace {

/// The body of a real answer kept as a fuzz seed ("<status>\n<body>").
std::string answer(const char *name)
{
    const std::string seed = testing::readText(testing::sourcePath("tests/fuzz/corpus/kubeapi/") + name);
    return seed.substr(seed.find('\n') + 1);
}

std::string status(const json &fields)
{
    json s{{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"}};
    s.update(fields);
    return s.dump();
}

const std::string kReplacement = "\xEF\xBF\xBD";
const std::string kEllipsis = "\xE2\x80\xA6";

} // namespace

class TestKubeApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void statusSummary_data();
    void statusSummary();
    void conflictCauses();
    void apiGroup_data();
    void apiGroup();
    void apiResourceList();
    void apiResourceListRefuses_data();
    void apiResourceListRefuses();
    void fallbackDeclared_data();
    void fallbackDeclared();
    void serverVersion_data();
    void serverVersion();
    void redactSecrets_data();
    void redactSecrets();
};

void TestKubeApi::statusSummary_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("403 verbatim, with what to do")
        << QByteArray::fromStdString(answer("status-403-readonly-patch")) << 403
        << QByteArray(
               "HTTP 403: virtualservices.networking.istio.io \"x\" is forbidden: User \"lanedeck-readonly\" "
               "cannot patch resource \"virtualservices\" in API group \"networking.istio.io\" in the "
               "namespace \"default\" (the kubeconfig user lacks the RBAC permission for this; ask for a "
               "role that allows it)");
    QTest::addRow("401 with what it means")
        << QByteArray::fromStdString(answer("status-401-unauthorized")) << 401
        << QByteArray("HTTP 401: Unauthorized (the server did not accept the "
                      "credentials of this kubeconfig user)");
    QTest::addRow("line breaks of a conflict list kept")
        << QByteArray::fromStdString(status(
               {{"message", "Apply failed with 2 conflicts: conflicts with \"lanedeck\":\n- .spec.hosts\n- "
                            ".spec.http"}}))
        << 409
        << QByteArray("HTTP 409: Apply failed with 2 conflicts: conflicts with \"lanedeck\":\n- "
                      ".spec.hosts\n- .spec.http");
    QTest::addRow("text body quoted")
        << QByteArray("404 page not found") << 404 << QByteArray("HTTP 404: 404 page not found");
    QTest::addRow("empty body") << QByteArray() << 502 << QByteArray("HTTP 502");
    // Found by fuzz_kubeapi: a body that is not UTF-8 was quoted as it was.
    QTest::addRow("body not UTF-8") << QByteArray("<html>\x8a</html>") << 502
                                    << QByteArray::fromStdString("HTTP 502: <html>" + kReplacement +
                                                                 "</html>");
    QTest::addRow("terminal escapes replaced")
        << QByteArray::fromStdString(status({{"message", "\x1b[2J\x1b]0;title\x07gone"}})) << 500
        << QByteArray::fromStdString("HTTP 500: " + kReplacement + "[2J" + kReplacement + "]0;title" +
                                     kReplacement + "gone");
    QTest::addRow("carriage return replaced")
        << QByteArray::fromStdString(status({{"message", "failed\rcreated"}})) << 500
        << QByteArray::fromStdString("HTTP 500: failed" + kReplacement + "created");
    QTest::addRow("bidirectional override replaced")
        << QByteArray::fromStdString(status({{"message", "name \xE2\x80\xAEtxt.exe"}})) << 422
        << QByteArray::fromStdString("HTTP 422: name " + kReplacement + "txt.exe");
    QTest::addRow("long message cut at 4000 bytes")
        << QByteArray::fromStdString(status({{"message", std::string(5000, 'a')}})) << 500
        << QByteArray::fromStdString("HTTP 500: " + std::string(4000, 'a') + kEllipsis);
    QTest::addRow("long body cut at a character boundary")
        << QByteArray::fromStdString(std::string(499, 'a') + "\xC3\xA9 and more") << 503
        << QByteArray::fromStdString("HTTP 503: " + std::string(499, 'a') + kEllipsis);
    // Written to check fuzz_kubeapi's finding on the old reader: a message of another type threw out of the
    // core.
    QTest::addRow("message not a string: the body is quoted")
        << QByteArray(R"({"kind":"Status","message":5})") << 500
        << QByteArray(R"(HTTP 500: {"kind":"Status","message":5})");
}

void TestKubeApi::statusSummary()
{
    QFETCH(QByteArray, body);
    QFETCH(int, httpStatus);
    QFETCH(QByteArray, expected);
    QCOMPARE(QByteArray::fromStdString(parseStatus(body.toStdString(), httpStatus).summary()), expected);
}

void TestKubeApi::conflictCauses()
{
    const ApiStatus real = parseStatus(answer("status-409-apply-conflict"), 409);
    QCOMPARE(real.causes.size(), std::size_t(1));
    QCOMPARE(real.causes[0].reason, std::string("FieldManagerConflict"));
    QCOMPARE(real.causes[0].message, std::string("conflict with \"lanedeck\""));
    QCOMPARE(real.causes[0].field, std::string(".spec.hosts"));

    // A cause that is not an object is skipped (it threw before); fields of another type count as missing.
    const ApiStatus odd = parseStatus(
        status({{"message", "m"},
                {"details",
                 {{"causes", json::array({"x", {{"reason", 1}, {"field", ".a"}}, {{"reason", "R"}}})}}}}),
        409);
    QCOMPARE(odd.causes.size(), std::size_t(2));
    QCOMPARE(odd.causes[0].reason, std::string());
    QCOMPARE(odd.causes[0].field, std::string(".a"));
    QCOMPARE(odd.causes[1].reason, std::string("R"));

    json many = json::array();
    for (int i = 0; i < 1000; ++i) {
        many.push_back({{"reason", "FieldManagerConflict"}, {"field", std::string(1000, 'f')}});
    }
    const ApiStatus flood = parseStatus(status({{"message", "m"}, {"details", {{"causes", many}}}}), 409);
    QCOMPARE(flood.causes.size(), kMaxStatusCauses);
    QCOMPARE(flood.causes[0].field, std::string(kMaxCauseTextBytes, 'f') + kEllipsis);
}

void TestKubeApi::apiGroup_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("group");
    QTest::addColumn<QStringList>("versions");
    QTest::addColumn<QString>("error");
    QTest::addRow("istio, real") << QByteArray::fromStdString(answer("apigroup-istio"))
                                 << QStringLiteral("networking.istio.io")
                                 << QStringList{QStringLiteral("v1"), QStringLiteral("v1beta1"),
                                                QStringLiteral("v1alpha3")}
                                 << QString();
    QTest::addRow("asm, real") << QByteArray::fromStdString(answer("apigroup-asm"))
                               << QStringLiteral("istio.alibabacloud.com")
                               << QStringList{QStringLiteral("v1"), QStringLiteral("v1beta1")} << QString();
    QTest::addRow("no versions") << QByteArray(R"({"kind":"APIGroup","name":"g"})") << QStringLiteral("g")
                                 << QStringList() << QString();
    // Found by fuzz_kubeapi: an answer that is not JSON threw out of the core.
    QTest::addRow("not JSON") << QByteArray("404 page not found") << QStringLiteral("networking.istio.io")
                              << QStringList()
                              << QStringLiteral("the answer is not a JSON object (APIGroup expected)");
    QTest::addRow("another kind") << QByteArray::fromStdString(answer("apiresourcelist-istio-v1"))
                                  << QStringLiteral("networking.istio.io") << QStringList()
                                  << QStringLiteral("the answer is not of kind APIGroup");
    QTest::addRow("versions not a list")
        << QByteArray(R"({"kind":"APIGroup","versions":{"v1":1}})") << QStringLiteral("g") << QStringList()
        << QStringLiteral("versions is not a list");
    QTest::addRow("a version of another group")
        << QByteArray(R"({"kind":"APIGroup","versions":[{"groupVersion":"apps/v1","version":"v1"}]})")
        << QStringLiteral("networking.istio.io") << QStringList()
        << QStringLiteral("versions[0] is not a version of networking.istio.io");
    QTest::addRow("a version that walks out of the group")
        << QByteArray(
               R"({"kind":"APIGroup","versions":[{"groupVersion":"g/../../api/v1","version":"../../api/v1"}]})")
        << QStringLiteral("g") << QStringList() << QStringLiteral("versions[0] is not a version of g");
}

void TestKubeApi::apiGroup()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, group);
    QFETCH(QStringList, versions);
    QFETCH(QString, error);
    const auto read = parseApiGroup(body.toStdString(), group.toStdString());
    QVERIFY2(read.ok() == error.isEmpty(), read.ok() ? "read" : read.error().message.c_str());
    if (!read) {
        QCOMPARE(QString::fromStdString(read.error().message), error);
        return;
    }
    QStringList got;
    for (const auto &v : *read) {
        QCOMPARE(v.groupVersion, group.toStdString() + '/' + v.version);
        got << QString::fromStdString(v.version);
    }
    QCOMPARE(got, versions);
}

void TestKubeApi::apiResourceList()
{
    const auto kinds = parseApiResourceList(answer("apiresourcelist-istio-v1"), "networking.istio.io/v1");
    QVERIFY2(kinds.ok(), kinds.ok() ? "" : kinds.error().message.c_str());
    std::map<std::string, KindInfo> byKind;
    for (const auto &k : *kinds) {
        QVERIFY2(k.plural.find('/') == std::string::npos, k.plural.c_str()); // no subresources
        byKind[k.kind] = k;
    }
    QCOMPARE(byKind.size(), kinds->size());
    QCOMPARE(byKind["VirtualService"].plural, std::string("virtualservices"));
    QVERIFY(byKind["VirtualService"].namespaced);
    QCOMPARE(objectPath(byKind["VirtualService"], "istio-system", "vs"),
             std::string("/apis/networking.istio.io/v1/namespaces/istio-system/virtualservices/vs"));
    const auto lanes = parseApiResourceList(answer("apiresourcelist-asm-v1"), "istio.alibabacloud.com/v1");
    QVERIFY(lanes.ok());
    QVERIFY(std::any_of(lanes->begin(), lanes->end(),
                        [](const KindInfo &k) { return k.kind == "ASMSwimLaneGroup" && !k.namespaced; }));
}

void TestKubeApi::apiResourceListRefuses_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("error");
    const auto list = [](const json &resource) {
        return QByteArray::fromStdString(json{
            {"kind", "APIResourceList"}, {"groupVersion", "g/v1"}, {"resources", json::array({resource})}}
                                             .dump());
    };
    QTest::addRow("not JSON") << QByteArray("<html>")
                              << QStringLiteral("the answer is not a JSON object (APIResourceList expected)");
    QTest::addRow("another group version")
        << QByteArray::fromStdString(answer("apiresourcelist-istio-v1"))
        << QStringLiteral("the answer lists the resources of another group version than g/v1");
    QTest::addRow("a name with a query")
        << list({{"name", "virtualservices?dryRun=All"}, {"kind", "VirtualService"}, {"namespaced", true}})
        << QStringLiteral("resources[0].name is not a resource name");
    QTest::addRow("an empty name") << list({{"kind", "VirtualService"}})
                                   << QStringLiteral("resources[0].name is not a resource name");
    QTest::addRow("a kind with a slash") << list({{"name", "vs"}, {"kind", "Virtual/Service"}})
                                         << QStringLiteral("resources[0].kind is not a kind");
    QTest::addRow("namespaced as text") << list({{"name", "vs"}, {"kind", "VS"}, {"namespaced", "yes"}})
                                        << QStringLiteral("resources[0].namespaced is not true or false");
    QTest::addRow("a resource that is a string")
        << list("vs") << QStringLiteral("resources[0] is not an object");
}

void TestKubeApi::apiResourceListRefuses()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, error);
    const auto read = parseApiResourceList(body.toStdString(), "g/v1");
    QVERIFY(!read.ok());
    QCOMPARE(QString::fromStdString(read.error().message), error);
}

void TestKubeApi::fallbackDeclared_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("declared");
    QTest::addColumn<QString>("error");
    const std::string asm_ = answer("crd-virtualservice-asm-v1");
    QTest::addRow("asm, real") << QByteArray::fromStdString(asm_) << true << QString();
    QTest::addRow("istio, real") << QByteArray::fromStdString(answer("crd-virtualservice-istio-v1")) << false
                                 << QString();
    json unserved = json::parse(asm_);
    unserved["spec"]["versions"][0]["served"] = false;
    QTest::addRow("declared only by a version not served")
        << QByteArray::fromStdString(unserved.dump()) << false << QString();
    // Written to check the readers against deep nesting: copying the versions list and the recursive schema
    // walk exhausted the stack (AddressSanitizer: stack-overflow) at 30000 levels.
    const int depth = 30000;
    QTest::addRow("schema nested 30000 deep")
        << QByteArray::fromStdString(
               R"({"kind":"CustomResourceDefinition","spec":{"versions":[{"served":true,"schema":)" +
               std::string(depth, '[') + std::string(depth, ']') + "}]}}")
        << false << QString();
    QTest::addRow("no spec") << QByteArray(R"({"kind":"CustomResourceDefinition"})") << false
                             << QStringLiteral("the CustomResourceDefinition has no spec");
    QTest::addRow("not JSON") << QByteArray("") << false
                              << QStringLiteral(
                                     "the answer is not a JSON object (CustomResourceDefinition expected)");
}

void TestKubeApi::fallbackDeclared()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, declared);
    QFETCH(QString, error);
    const auto read = parseFallbackDeclared(body.toStdString());
    QVERIFY2(read.ok() == error.isEmpty(), read.ok() ? "read" : read.error().message.c_str());
    if (read) {
        QCOMPARE(*read, declared);
    } else {
        QCOMPARE(QString::fromStdString(read.error().message), error);
    }
}

void TestKubeApi::serverVersion_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("expected");
    QTest::addRow("real") << QByteArray::fromStdString(answer("version")) << QStringLiteral("v1.34.4");
    QTest::addRow("escape replaced") << QByteArray(R"({"gitVersion":"v1\u001b[31m"})")
                                     << QString::fromUtf8("v1\xEF\xBF\xBD[31m");
    QTest::addRow("not JSON") << QByteArray("<html>login</html>") << QString();
    QTest::addRow("gitVersion a number") << QByteArray(R"({"gitVersion":134})") << QString();
}

void TestKubeApi::serverVersion()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, expected);
    const auto read = parseServerVersion(body.toStdString());
    if (expected.isEmpty()) {
        QVERIFY(!read.ok());
        QCOMPARE(read.error().message,
                 std::string("the answer to /version is not a Kubernetes version (no gitVersion)"));
    } else {
        QVERIFY(read.ok());
        QCOMPARE(QString::fromStdString(*read), expected);
    }
}

void TestKubeApi::redactSecrets_data()
{
    QTest::addColumn<QString>("body");
    QTest::addColumn<QStringList>("secrets");
    QTest::addColumn<QString>("expected");
    const QString token = QStringLiteral("tok-3f9a8b7c6d5e");
    QTest::addRow("bearer echoed") << QStringLiteral("Authorization: Bearer ") + token + QStringLiteral("\n")
                                   << QStringList{token} << "Authorization: Bearer [redacted]\n";
    QTest::addRow("twice") << token + QStringLiteral(" and ") + token << QStringList{token}
                           << "[redacted] and [redacted]";
    QTest::addRow("basic auth header (base64 of user:password)")
        << QStringLiteral("Authorization: Basic YWRtaW46czNjcjN0LXB3")
        << QStringList{QStringLiteral("admin:s3cr3t-pw"), QStringLiteral("s3cr3t-pw")}
        << "Authorization: Basic [redacted]";
    QTest::addRow("percent-encoded password")
        << QStringLiteral("proxy=http://u:p%40ss%2Fword@x") << QStringList{QStringLiteral("p@ss/word")}
        << "proxy=http://u:[redacted]@x";
    QTest::addRow("short secrets are not credentials")
        << QStringLiteral("admin logged in") << QStringList{QStringLiteral("admin")} << "admin logged in";
    QTest::addRow("empty secret ignored") << QStringLiteral("body") << QStringList{QString()} << "body";
    QTest::addRow("nothing to redact")
        << QStringLiteral("502 Bad Gateway") << QStringList{token} << "502 Bad Gateway";
}

void TestKubeApi::redactSecrets()
{
    QFETCH(QString, body);
    QFETCH(QStringList, secrets);
    QFETCH(QString, expected);
    std::string text = body.toStdString();
    std::vector<std::string> list;
    for (const auto &s : secrets) {
        list.push_back(s.toStdString());
    }
    lanedeck::kube::redactSecrets(text, list);
    QCOMPARE(QString::fromStdString(text), expected);
}

QTEST_APPLESS_MAIN(TestKubeApi)
#include "tst_kubeapi.moc"
