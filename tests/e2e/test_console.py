"""The agencies' console in a real browser (issue 16): what a person sees and does, against the
whole suite running as processes. Screenshots go to each test's temporary directory."""

import hashlib
import re
from datetime import date, timedelta

import pytest

from shared.browser import chromium
from shared.testing import running_stack, wait_for

pytestmark = pytest.mark.e2e

UNIT, OTHER_UNIT = "U-370100-016", "U-370100-099"
ITEM = "SDZW-2026-16"
PLAN_TEXT = b"%PDF-1.4 construction plan of the e-licence system"
BUDGET_TEXT = b"%PDF-1.4 investment budget"


@pytest.fixture(scope="module")
def stack(infrastructure, tmp_path_factory):
    with running_stack(infrastructure, tmp_path_factory.mktemp("console"), RPC_TIMEOUT="30") as running:
        running.plan_in_force(ITEM)
        yield running


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def person(browser, stack, tmp_path):
    """A fresh browser window per person (its own cookies), at 1280 px wide."""
    contexts = []

    def open_as(role: str | None = None, unit: str | None = None, width: int = 1280):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"http://127.0.0.1:{stack.port}/console/")
        if role:
            sign_in(page, role, unit)
        return page

    yield open_as
    for n, context in enumerate(contexts):  # each window as it was last seen
        for page in context.pages:
            shot(page, tmp_path, f"last-{n}")
        context.close()


def sign_in(page, role, unit=None):
    page.get_by_label("角色").select_option(role)
    if unit:
        page.get_by_label("单位代码（建设单位）").fill(unit)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("heading", name="工作台").wait_for()


def shot(page, tmp_path, name):
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def until_shown(page, text, timeout=30):
    """Effects in other services follow asynchronously: reload until the text (or, for
    "#id", the element) appears."""

    def shown():
        if (page.locator(text) if text.startswith("#") else page.get_by_text(text)).count():
            return True
        page.reload()
        return False

    wait_for(shown, timeout=timeout, interval=1, message=f"{text!r} on {page.url}")


def test_a_project_from_application_to_its_first_payment(stack, person, tmp_path):
    # -- the unit registers, is refused with every missing item beside its field, completes
    unit = person("unit", UNIT)
    assert "项目建设单位 · U-370100-016" in unit.locator("header").inner_text()
    unit.get_by_role("link", name="登记新项目").first.click()
    unit.get_by_label("项目名称").fill("全省电子证照系统")
    unit.get_by_label("项目类型").select_option("construction")
    unit.get_by_label("项目层级").select_option("province")
    unit.get_by_label("规划条目").fill(ITEM)
    unit.get_by_label("总投资（元）").fill("500000.00")
    unit.get_by_role("button", name="登记").click()
    heading = unit.get_by_role("heading", level=1).filter(has_text=re.compile(r"SD-\d{4}-"))
    heading.wait_for()
    code = re.search(r"SD-\d{4}-\d{6}", heading.inner_text()).group(0)
    assert "草稿" in heading.inner_text()

    unit.get_by_role("button", name="提交申报").click()
    unit.get_by_text("申报材料不齐全：缺少 3 项").wait_for()
    shot(unit, tmp_path, "1-refused")
    assert "缺少：建设方案（第七条）" in unit.locator("tr[data-doc=construction_plan]").inner_text()
    assert "缺少：投资预算（第七条）" in unit.locator("tr[data-doc=investment_budget]").inner_text()
    assert "缺少：信息资源目录（第二十七条）" in unit.locator("#catalog").inner_text()

    for doc_type, content in (("construction_plan", PLAN_TEXT), ("investment_budget", BUDGET_TEXT)):
        form = unit.locator("#form-documents")
        form.get_by_label("文件类型").select_option(doc_type)
        form.get_by_label("文件", exact=True).set_input_files(
            files=[{"name": f"{doc_type}.pdf", "mimeType": "application/pdf", "buffer": content}]
        )
        form.get_by_role("button", name="上传").click()
        digest = hashlib.sha256(content).hexdigest()  # computed by the server from the file
        unit.locator(f"tr[data-doc={doc_type}]").filter(has_text=digest[:12]).wait_for()
        assert "文件已归档" in unit.locator("main").inner_text()
    catalog = unit.locator("#form-catalog")
    catalog.get_by_label("资源名称").fill("电子证照库")
    catalog.get_by_label("来源").fill("本系统")
    catalog.get_by_label("格式").fill("JSON")
    catalog.get_by_label("更新频率").fill("每日")
    catalog.get_by_label("共享类型").select_option("unconditional")
    catalog.get_by_label("开放类型").select_option("none")
    catalog.get_by_role("button", name="保存目录").click()
    unit.get_by_text("目录已保存").wait_for()
    unit.get_by_role("button", name="提交申报").click()
    unit.get_by_text("已提交申报").wait_for()

    # -- the office runs the round to approval
    office = person("office")
    until_shown(office, code)
    office.get_by_role("link", name="集中评审").first.click()
    office.get_by_role("button", name="组织评审批次").click()
    case = office.locator(f"section[data-project='{code}']")
    case.get_by_label("意见").select_option("approve")
    case.get_by_label("必要性").fill("确有必要")
    case.get_by_label("可行性").fill("技术可行")
    case.get_by_label("核定金额（元）").fill("450000.00")
    case.get_by_role("button", name="记录评审意见").click()
    office.get_by_text("评审意见：同意").wait_for()
    office.get_by_role("button", name="结束评审批次").click()
    office.get_by_role("heading", level=1).filter(has_text="已结束").wait_for()
    shot(office, tmp_path, "2-round-closed")
    office.goto(f"http://127.0.0.1:{stack.port}/console/projects/{code}")
    until_shown(office, "已批复")

    # -- finance records the budget
    finance = person("finance")
    until_shown(finance, "已批复、待记录预算的项目")
    finance.get_by_role("link", name=code).first.click()
    budget = finance.locator("#form-budget")
    budget.locator("[name='construction.total']").fill("400000.00")
    budget.locator("[name='construction.by_level.province']").fill("400000.00")
    # a construction project's O&M money is budgeted after its acceptance (第二十三条): left blank
    budget.get_by_role("button", name="记录预算").click()
    finance.get_by_text("预算已记录").wait_for()
    assert "400,000.00 元" in finance.locator("#funds").inner_text()
    assert finance.locator("#form-contracts").count() == 0  # the unit's to file, not finance's

    # -- the unit asks for money before filing the contract: refused, the gate listed
    unit.goto(f"http://127.0.0.1:{stack.port}/console/projects/{code}")
    until_shown(unit, "申请拨付资金")
    pay = unit.locator("#form-disbursements")
    pay.get_by_label("资金用途").select_option("construction")
    pay.get_by_label("金额（元）").fill("1000.00")
    pay.get_by_label("合同编号").fill("HT-2026-016")
    pay.get_by_role("button", name="申请拨付").click()
    refused = unit.locator("#payment .refusal")
    refused.wait_for()
    assert "已拒付" in refused.inner_text()
    assert "付款所依据的采购合同未备案（第十三条）" in refused.inner_text()
    shot(unit, tmp_path, "3-payment-refused")

    contract = unit.locator("#form-contracts")
    contract.get_by_label("合同编号").fill("HT-2026-016")
    contract.get_by_label("供应商").fill("浪潮软件股份有限公司")
    contract.get_by_label("金额（元）").fill("300000.00")
    contract.get_by_label("签订日期").fill(date.today().isoformat())
    contract.get_by_label("合同文本 SHA-256 摘要").fill("5e" * 32)  # filed as its text (第十三条)
    contract.get_by_role("button", name="备案").click()
    unit.get_by_text("合同已备案").wait_for()

    def paid():
        pay = unit.locator("#form-disbursements")
        pay.get_by_label("资金用途").select_option("construction")
        pay.get_by_label("金额（元）").fill("1000.00")
        pay.get_by_label("合同编号").fill("HT-2026-016")
        pay.get_by_role("button", name="申请拨付").click()
        unit.locator("#payment [role=status]").wait_for()
        return "已支付" in unit.locator("#payment [role=status]").inner_text()

    wait_for(paid, timeout=30, interval=1, message="paid once finance learned the contract")
    assert "1,000.00 元" in unit.locator("#funds").inner_text()
    shot(unit, tmp_path, "4-paid")
    timeline = unit.locator("#timeline").inner_text()
    assert "项目登记" in timeline and "第三条" in timeline

    # -- construction finished: the acceptance application lists each missing report
    unit.locator("#form-completion").get_by_label("完工日期").fill(date.today().isoformat())
    unit.get_by_role("button", name="确认完工").click()
    unit.get_by_text("已确认完工").wait_for()
    until_shown(unit, "#form-acceptance-application")
    unit.get_by_role("button", name="申请验收").click()
    unit.get_by_text("竣工验收申请缺少 5 项报告").wait_for()
    assert (
        "缺少：项目建设总结（第二十三条）" in unit.locator("tr[data-doc=construction_summary]").inner_text()
    )
    assert "缺少：审计报告（第二十三条）" in unit.locator("tr[data-doc=audit_report]").inner_text()
    shot(unit, tmp_path, "5-acceptance-refused")


def test_a_classified_project_shows_others_only_its_stub(stack, person, tmp_path):
    registered = stack.http(
        "POST",
        "/projects",
        "unit",
        UNIT,
        json={
            "name": "涉密业务系统",
            "kind": "construction",
            "level": "province",
            "plan_item": ITEM,
            "classified": True,
            "budget": {"total": "300000.00"},
        },
    )
    assert registered.status_code == 201, registered.text
    code = registered.json()["code"]
    wait_for(
        lambda: (
            stack.http(
                "PUT",
                f"/projects/{code}/classified-content",
                "unit",
                UNIT,
                json={"goals": "绝密目标甲乙丙", "content": "涉密内容丁戊己", "location": "某地"},
            ).status_code
            == 200
        ),
        timeout=20,
        message="security knows the project",
    )

    office = person("office")
    office.goto(f"http://127.0.0.1:{stack.port}/console/projects/{code}")
    office.get_by_role("heading", name=f"涉密项目 {code}").wait_for()
    page = office.content()
    assert "仅限建设单位和国家保密局查阅" in office.locator("main").inner_text()
    assert "涉密业务系统" not in page and "绝密目标" not in page
    shot(office, tmp_path, "classified-stub")

    stranger = person("unit", OTHER_UNIT)
    stranger.goto(f"http://127.0.0.1:{stack.port}/console/projects/{code}")
    stranger.get_by_text("无法查看该项目").wait_for()
    assert "涉密业务系统" not in stranger.content()

    owner = person("unit", UNIT)
    owner.goto(f"http://127.0.0.1:{stack.port}/console/projects/{code}")
    assert "涉密业务系统" in owner.get_by_role("heading", level=1).inner_text()


def test_language_switch_and_only_what_a_role_may_do(stack, person, tmp_path):
    page = person()
    page.get_by_role("link", name="English").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    page.get_by_label("Role").select_option("operator")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("heading", name="My work").wait_for()
    assert "operator · operator-dev" in page.locator("header").inner_text()
    nav = page.get_by_role("navigation", name="Main").inner_text()
    assert "Operations" in nav and "Review" not in nav and "Audit" not in nav
    page.get_by_role("link", name="Operations").click()
    page.get_by_role("heading", name="Service health").wait_for()
    states = page.locator("tr[data-service] td:nth-child(2)").all_inner_texts()
    assert states == ["up"] * 6
    loaded = stack.http(
        "PUT", "/admin/calendar/2031", "operator", json={"holidays": ["2031-01-01"], "workdays": []}
    )
    assert loaded.status_code == 200, loaded.text
    wait_for(
        lambda: "2031" in (page.reload() and page.locator("[data-calendar-loaded]").inner_text()),
        timeout=20,
        message="the year on the page",
    )
    shot(page, tmp_path, "operator-en")
    page.get_by_role("link", name="中文").click()
    page.get_by_role("heading", name="服务运行状态").wait_for()

    audit = person("audit", width=390)  # a phone's width
    audit.get_by_role("link", name="审计").click()
    audit.get_by_text("哈希链完整").wait_for()
    assert "运维" not in audit.get_by_role("navigation", name="主导航").inner_text()
    shot(audit, tmp_path, "audit-phone")


def register(stack, name, **extra):
    registered = stack.http(
        "POST",
        "/projects",
        "unit",
        UNIT,
        json={
            "name": name,
            "kind": "construction",
            "level": "province",
            "plan_item": ITEM,
            "budget": {"total": "300000.00"},
            **extra,
        },
    )
    assert registered.status_code == 201, registered.text
    return registered.json()["code"]


def test_an_inspection_through_a_failed_rectification_to_a_sanction(stack, person, tmp_path):
    code = register(stack, "社会保障卡系统")
    project_page = f"http://127.0.0.1:{stack.port}/console/projects/{code}"
    office = person("office")
    office.goto(project_page)
    until_shown(office, "#form-inspections")
    inspection = office.locator("#form-inspections")
    inspection.locator("[name='findings.0.articles']").fill("34")
    inspection.locator("[name='findings.0.description']").fill("未按期报送年度建设报告")
    inspection.get_by_role("button", name="记录检查发现的问题").click()
    office.get_by_text("检查发现的问题已记录").wait_for()
    finding = office.locator("#findings [data-finding]").filter(has_text="未按期报送年度建设报告")
    assert "进行中" in finding.inner_text() and "第三十四条" in finding.inner_text()
    finding_id = finding.get_attribute("data-finding")

    # a sanction before any rectification was refused, ignored or failed: refused, beside it
    sanction = office.locator("#form-sanctions")
    sanction.get_by_label("措施").select_option("criticism")
    sanction.get_by_label("所涉问题").select_option(finding_id)
    sanction.get_by_label("理由").fill("检查发现问题")
    sanction.get_by_role("button", name="作出处理").click()
    refused = office.locator("#form-sanctions .refusal")
    refused.wait_for()
    assert "第三十四条" in refused.inner_text()
    shot(office, tmp_path, "1-sanction-refused")

    finding = office.locator(f"[data-finding='{finding_id}']")
    finding.get_by_label("整改期限").fill((date.today() + timedelta(days=30)).isoformat())
    finding.get_by_role("button", name="责令整改").click()
    office.get_by_text("已责令限期整改").wait_for()
    assert "已责令整改" in office.locator(f"[data-finding='{finding_id}']").inner_text()

    unit = person("unit", UNIT)
    unit.goto(project_page)
    mine = unit.locator(f"[data-finding='{finding_id}']")
    assert mine.get_by_role("button", name="责令整改").count() == 0  # the office's, not the unit's
    mine.get_by_label("整改情况").fill("已补报年度建设报告")
    mine.get_by_role("button", name="报告整改").click()
    unit.get_by_text("整改情况已报告").wait_for()
    assert "已补报年度建设报告" in unit.locator(f"[data-finding='{finding_id}']").inner_text()
    shot(unit, tmp_path, "2-rectification-reported")

    office.goto(project_page)
    finding = office.locator(f"[data-finding='{finding_id}']")
    assert not finding.get_by_label("整改合格（不勾选即为未通过）").is_checked()
    finding.get_by_role("button", name="记录核查结果").click()
    office.get_by_text("核查结果已记录").wait_for()
    assert "整改未通过" in office.locator(f"[data-finding='{finding_id}']").inner_text()

    sanction = office.locator("#form-sanctions")
    sanction.get_by_label("措施").select_option("criticism")
    sanction.get_by_label("所涉问题").select_option(finding_id)
    sanction.get_by_label("理由").fill("整改后仍不符合要求")
    sanction.get_by_role("button", name="作出处理").click()
    office.get_by_text("处理措施已生效").wait_for()
    imposed = office.locator("#sanctions [data-sanction]").first.inner_text()
    assert "通报批评" in imposed and "生效中" in imposed and finding_id in imposed
    shot(office, tmp_path, "3-sanctioned")

    unit.goto(project_page)
    assert "通报批评" in unit.locator("#sanctions").inner_text()
    assert unit.locator("#form-sanctions").count() == 0


def test_supervision_lists_are_paged(stack, person, tmp_path):
    code = register(stack, "政务数据共享平台")
    findings = [{"articles": [34], "description": f"问题{n:02d}"} for n in range(21)]
    wait_for(
        lambda: (
            stack.http(
                "POST", "/inspections", "office", json={"project": code, "findings": findings}
            ).status_code
            == 201
        ),
        timeout=20,
        message="supervision knows the project",
    )
    office = person("office")
    office.goto(f"http://127.0.0.1:{stack.port}/console/supervision?project={code}")
    rows = office.locator("section").filter(has=office.get_by_role("heading", name="问题", exact=True))
    assert rows.locator("tbody tr").count() == 20
    rows.locator("[data-pager=findings]").get_by_role("link", name="下一页").click()
    office.get_by_role("link", name="上一页").wait_for()
    assert rows.locator("tbody tr").count() == 1
    shot(office, tmp_path, "findings-page-2")


def test_the_secrecy_bureau_reviews_a_classified_project(stack, person, tmp_path):
    code = register(stack, "涉密指挥系统", classified=True)
    project_page = f"http://127.0.0.1:{stack.port}/console/projects/{code}"
    unit = person("unit", UNIT)
    unit.goto(project_page)
    until_shown(unit, "#form-classified-content")
    content = unit.locator("#form-classified-content")
    content.get_by_label("建设目标").fill("涉密目标甲")
    content.get_by_label("建设内容").fill("涉密内容乙")
    content.get_by_role("button", name="保存涉密内容").click()
    unit.get_by_text("涉密内容已保存").wait_for()
    for doc in ("construction_plan", "investment_budget"):
        assert (
            stack.http(
                "PUT",
                f"/projects/{code}/classified-documents/{doc}",
                "unit",
                UNIT,
                json={"title": doc, "sha256": "a" * 64},
            ).status_code
            == 200
        )
    assert (
        stack.http(
            "PUT",
            f"/projects/{code}/classified-catalog",
            "unit",
            UNIT,
            json={
                "resources": [
                    {
                        "name": "涉密资源",
                        "source": "本系统",
                        "format": "XML",
                        "update_frequency": "每月",
                        "sharing_type": "none",
                        "open_type": "none",
                    }
                ]
            },
        ).status_code
        == 200
    )
    wait_for(
        lambda: stack.http("POST", f"/projects/{code}/submission", "unit", UNIT).status_code == 200,
        timeout=20,
        message="submitted",
    )

    bureau = person("secrecy")
    bureau.goto(project_page)
    until_shown(bureau, "#form-secrecy-review")
    assert "涉密指挥系统" in bureau.get_by_role("heading", level=1).inner_text()
    review = bureau.locator("#form-secrecy-review")
    review.get_by_label("意见").select_option("confirm")
    review.get_by_label("说明").fill("涉密等级认定无误")
    review.get_by_role("button", name="记录审查意见").click()
    bureau.get_by_text("审查意见已记录").wait_for()
    shot(bureau, tmp_path, "secrecy-confirmed")

    office = person("office")
    office.goto(project_page)
    office.get_by_role("heading", name=f"涉密项目 {code}").wait_for()
    assert "涉密目标甲" not in office.content()
    assert office.locator("#form-secrecy-review").count() == 0


def test_the_audit_office_opens_an_engagement_and_records_a_finding(stack, person, tmp_path):
    code = register(stack, "财政一体化系统")
    audit = person("audit")
    audit.goto(f"http://127.0.0.1:{stack.port}/console/projects/{code}")
    until_shown(audit, "#form-audits")
    audit.locator("#form-audits").get_by_label("审计范围").fill("2026年度资金使用")
    audit.get_by_role("button", name="开展审计").click()
    audit.get_by_text("审计项目已开展").wait_for()
    engagement = audit.locator("#audits [data-audit]").first
    engagement.get_by_label("违反条款（条号）").fill("38")
    engagement.get_by_label("描述").fill("挪用建设资金")
    engagement.get_by_label("涉及金额（元）").fill("50000.00")
    engagement.get_by_role("button", name="记录审计发现").click()
    audit.get_by_text("审计发现已记录").wait_for()
    assert "挪用建设资金" in audit.locator("#findings").inner_text()
    assert audit.locator("#form-inspections").count() == 0  # the office's, not audit's
    shot(audit, tmp_path, "audit-finding")
