package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// TestSecretaryOnPhone: the secretary of the Second Branch, on a phone, creates a party
// group, adds a person with an ID number to it, and sees the number masked.
func TestSecretaryOnPhone(t *testing.T) {
	s := startSite(t)
	ctx := browser(t, 390, 844)
	login(t, ctx, s.URL, "secretary")
	shot(t, ctx, "phone-home")

	do(t, ctx,
		chromedp.Navigate(fmt.Sprintf("%s/orgs/new?parent=%d", s.URL, s.Demo.SecondBranch.ID)),
		chromedp.WaitVisible(css("#f-name")),
		chromedp.SendKeys(css("#f-name"), "第四党小组（D区）"),
		chromedp.Submit(css("#f-name")),
		chromedp.WaitVisible(css(".flash")),
	)
	if h := text(t, ctx, "h1"); h != "第四党小组（D区）" {
		t.Fatalf("after creating the group the page shows %q", h)
	}
	do(t, ctx, chromedp.Navigate(s.URL+"/orgs"), chromedp.WaitVisible(css(".tree")))
	if tree := text(t, ctx, ".tree"); !strings.Contains(tree, "第四党小组（D区）") {
		t.Fatalf("tree without the new group: %q", tree)
	}
	shot(t, ctx, "phone-orgs")

	// First with a wrong ID number: the form comes back with the input kept.
	do(t, ctx,
		chromedp.Navigate(s.URL+"/people/new"),
		chromedp.WaitVisible(css("#f-name")),
		chromedp.SendKeys(css("#f-name"), "赵红梅"),
		selectByLabel("#f-org_id", "第四党小组（D区）"),
		chromedp.SetValue(css("#f-stage"), "full"),
		chromedp.SendKeys(css("#f-id_number"), "330681199001011231"),
		chromedp.SendKeys(css("#f-phone"), "13905751234"),
		chromedp.Submit(css("#f-name")),
		chromedp.WaitVisible(css(".field.has-error .err")),
	)
	shot(t, ctx, "phone-person-error")
	if e := text(t, ctx, ".field.has-error .err"); !strings.Contains(e, "校验位") {
		t.Fatalf("error beside the ID number = %q", e)
	}
	if v := value(t, ctx, "#f-name"); v != "赵红梅" {
		t.Fatalf("name not kept: %q", v)
	}
	do(t, ctx,
		chromedp.Clear(css("#f-id_number")),
		chromedp.SendKeys(css("#f-id_number"), "330681199001011237"),
		chromedp.Submit(css("#f-name")),
		chromedp.WaitVisible(css("#secret-id_number")),
	)
	shot(t, ctx, "phone-person")
	if m := text(t, ctx, "#secret-id_number"); m != "330681********1237" {
		t.Fatalf("masked ID number = %q", m)
	}
	// The secretary may reveal it: htmx swaps the clear number in, and the reveal is audited.
	do(t, ctx,
		chromedp.Click(css("#secret-id_number + form button")),
		chromedp.WaitVisible(css(".revealed")),
	)
	if v := text(t, ctx, ".revealed"); v != "330681199001011237" {
		t.Fatalf("revealed = %q", v)
	}
	do(t, ctx, chromedp.Navigate(s.URL+"/people?q=zhm"), chromedp.WaitVisible(css(".people")))
	shot(t, ctx, "phone-people")
	list := text(t, ctx, ".people")
	if !strings.Contains(list, "赵红梅") || !strings.Contains(list, "139****1234") || strings.Contains(list, "13905751234") {
		t.Fatalf("people list = %q", list)
	}
	do(t, ctx, chromedp.Navigate(s.URL+"/audit"), chromedp.WaitVisible(css(".audit")))
	if audit := text(t, ctx, ".audit"); !strings.Contains(audit, "查看完整身份证号") {
		t.Fatalf("the reveal is not in the audit trail: %q", audit)
	}

	// Import a small workbook: preview, start, progress, and the people on the register.
	book := filepath.Join(t.TempDir(), "名册.xlsx")
	wb := excelize.NewFile()
	wb.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "性别", "身份证号", "手机号", "所在党组织", "政治面貌", "入党时间"})
	wb.SetSheetRow("Sheet1", "A2", &[]any{"钱文斌", "男", "330681199203035675", "13905752222", "第四党小组（D区）", "预备党员", "2026-07-01"})
	wb.SetSheetRow("Sheet1", "A3", &[]any{"孙建平", "男", "", "13905753333", "", "群众", ""})
	if err := wb.SaveAs(book); err != nil {
		t.Fatal(err)
	}
	do(t, ctx,
		chromedp.Navigate(s.URL+"/people/import"),
		chromedp.WaitVisible(css("#f-file")),
		chromedp.SetUploadFiles(css("#f-file"), []string{book}),
		selectByLabel("#f-org_id", "第二支部（珍珠商户）"),
		chromedp.Submit(css("#f-file")),
		chromedp.WaitVisible(css(".summary")),
	)
	shot(t, ctx, "phone-import-preview")
	if sum := text(t, ctx, ".summary"); !strings.Contains(sum, "共 2 行，其中 0 行有问题") {
		t.Fatalf("import preview summary = %q", sum)
	}
	do(t, ctx,
		chromedp.Click(css(`form[action$="/start"] button`)),
		chromedp.WaitVisible(css(`a[href="/people?sort=newest"]`)),
	)
	shot(t, ctx, "phone-import-done")
	do(t, ctx, chromedp.Navigate(s.URL+"/people?q=qwb"), chromedp.WaitVisible(css(".people")))
	if list := text(t, ctx, ".people"); !strings.Contains(list, "钱文斌") || !strings.Contains(list, "330681********5675") {
		t.Fatalf("imported person not listed masked: %q", list)
	}
}

// selectByLabel chooses the option of a select whose visible text is label.
func selectByLabel(sel, label string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`(() => { const s = document.querySelector(%q); for (const o of s.options) { if (o.text.trim() === %q) { s.value = o.value; return true } } return false })()`, sel, label)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		ok, err := chromedp.Evaluate[bool](js)(ctx, t)
		if err == nil && !ok {
			err = fmt.Errorf("no option %q in %s", label, sel)
		}
		return chromedp.Void{}, err
	}
}

// TestMemberCannotReachRoster: an ordinary member sees no roster link, and the roster URL
// answers with a refusal.
func TestMemberCannotReachRoster(t *testing.T) {
	s := startSite(t)
	ctx := browser(t, 390, 844)
	login(t, ctx, s.URL, "member")
	shot(t, ctx, "phone-member-home")
	if nav := text(t, ctx, ".top"); strings.Contains(nav, "人员") {
		t.Fatalf("member's navigation shows the roster: %q", nav)
	}
	do(t, ctx, chromedp.Navigate(s.URL+"/people"), chromedp.WaitVisible(css("main")))
	if body := text(t, ctx, "main"); !strings.Contains(body, "没有权限") || strings.Contains(body, "周建华") {
		t.Fatalf("member on /people sees %q", body)
	}
}
