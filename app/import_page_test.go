package app

import (
	"bytes"
	"mime/multipart"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestImportPageAsOfficersRead: the CSV import page (issue 14, points 9 and
// 13) shows its sample with Thai headers and names on a Thai page (English
// ones on an English page), and tells a refused file's problems by the
// column's Thai name: an unquoted 1,250.50 on the amount, with how to
// write it; a category outside the list, with the Thai names.
func TestImportPageAsOfficersRead(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	o := f.as("officer")
	code := f.participant["vendor"].Code

	body := readBody(t, o.do("GET", "/vendors/import", nil, nil))
	sample := body[strings.Index(body, `id="csv-sample">`)+len(`id="csv-sample">`):]
	sample = sample[:strings.Index(sample, "</pre>")]
	if !strings.Contains(sample, "วันที่,รหัสผู้เข้าร่วม,รายการ,จำนวนเงิน") || !strings.Contains(sample, `ขาย,"1,250.50",เงินสด`) {
		t.Errorf("Thai sample: %s", sample)
	}
	if m := regexp.MustCompile(`[a-z_]{4,}`).FindString(sample); m != "" {
		t.Errorf("Thai sample holds the machine word %q: %s", m, sample)
	}

	post := func(csv string) (int, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("_csrf", o.csrf)
		fw, _ := mw.CreateFormFile("file", "forms.csv")
		fw.Write([]byte(csv))
		mw.Close()
		resp := o.do("POST", "/vendors/import", &buf, map[string]string{"Content-Type": mw.FormDataContentType()})
		return resp.StatusCode, readBody(t, resp)
	}
	status, body := post("วันที่,รหัสผู้เข้าร่วม,รายการ,จำนวนเงิน,ประเภทจ่ายหรือวิธีรับเงิน,หมายเหตุ\n" +
		"01/01/2569," + code + ",ขาย,1,250.50,เงินสด,\n" +
		"01/01/2569," + code + ",จ่าย,45,ค่าไฟ,\n")
	problems := body[strings.Index(body, `class="problems"`):]
	if status != 422 || !strings.Contains(problems, "<td>จำนวนเงิน</td>") || !strings.Contains(problems, "ต้องใส่เครื่องหมายคำพูด") && !strings.Contains(problems, "ไม่อยู่ในเครื่องหมายคำพูด") ||
		!strings.Contains(problems, "<td>ประเภทจ่ายหรือวิธีรับเงิน</td>") || !strings.Contains(problems, "วัตถุดิบ แก๊ส น้ำแข็ง") || strings.Contains(problems, "category_or_method") {
		t.Errorf("refused file: %d %s", status, problems)
	}

	if resp := o.form("/language", url.Values{"lang": {"en"}, "back": {"/"}}); resp.StatusCode != 303 {
		t.Fatalf("language: %d", resp.StatusCode)
	}
	body = readBody(t, o.do("GET", "/vendors/import", nil, nil))
	if !strings.Contains(body, "date,participant,kind,amount") || !strings.Contains(body, `Sale,"1,250.50",Cash`) {
		t.Errorf("English sample: %s", body)
	}
}
