// Package roster reads and writes people rosters: XLSX and CSV files (UTF-8 or GBK) with
// Chinese or English headers, as party workers keep them in spreadsheets. It knows file
// formats and column names only; validation against the register is the org package's job.
package roster

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Column is one field of the register that a roster may carry.
type Column struct {
	Field   string   // the field name used by org.Person forms, e.g. id_number
	Header  string   // header written to templates and exports (Chinese)
	Aliases []string // headers recognised on import, compared after normalising
}

// Columns lists the roster columns in template order.
var Columns = []Column{
	{"name", "姓名", []string{"姓名", "名字", "name", "full name"}},
	{"gender", "性别", []string{"性别", "gender", "sex"}},
	{"ethnicity", "民族", []string{"民族", "ethnicity"}},
	{"birth_date", "出生日期", []string{"出生日期", "出生年月", "生日", "birth date", "date of birth", "birthday"}},
	{"id_number", "身份证号", []string{"身份证号", "身份证号码", "公民身份号码", "身份证", "id number", "resident id", "id"}},
	{"phone", "手机号", []string{"手机号", "手机号码", "手机", "联系电话", "电话", "联系方式", "phone", "mobile", "telephone"}},
	{"org", "所在党组织", []string{"所在党组织", "党组织", "所在支部", "支部", "所属党组织", "组织", "organization", "party organization", "branch"}},
	{"stage", "政治面貌", []string{"政治面貌", "人员类别", "类别", "发展阶段", "stage", "political status"}},
	{"status", "状态", []string{"状态", "人员状态", "status"}},
	{"education", "学历", []string{"学历", "文化程度", "education"}},
	{"work_unit", "工作单位", []string{"工作单位", "单位", "所在单位", "work unit", "employer"}},
	{"post", "职务", []string{"职务", "岗位", "职务/岗位", "post", "position", "job"}},
	{"native_place", "籍贯", []string{"籍贯", "native place", "hometown"}},
	{"address", "住址", []string{"住址", "家庭住址", "地址", "现居住地", "address"}},
	{"zone", "区域", []string{"区域", "片区", "市场区域", "zone", "area"}},
	{"booth", "摊位号", []string{"摊位号", "摊位", "商铺", "铺位", "商铺号", "booth", "shop"}},
	{"applied_on", "申请入党时间", []string{"申请入党时间", "入党申请时间", "applied on", "application date"}},
	{"activist_on", "确定积极分子时间", []string{"确定积极分子时间", "确定为入党积极分子时间", "列为积极分子时间", "积极分子时间", "activist on"}},
	{"target_on", "确定发展对象时间", []string{"确定发展对象时间", "确定为发展对象时间", "发展对象时间", "target on"}},
	{"admitted_on", "入党时间", []string{"入党时间", "入党日期", "admitted on", "joined"}},
	{"full_on", "转正时间", []string{"转正时间", "转正日期", "full on", "full membership"}},
	{"tags", "标签", []string{"标签", "tags"}},
	{"notes", "备注", []string{"备注", "notes", "remarks"}},
}

// normHeader folds width, case and spaces, and drops a trailing colon or asterisk, so that
// "身份证号*", "ＩＤ Number" and " 姓 名 " match their column.
func normHeader(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	s = strings.TrimPrefix(s, "\ufeff")
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\u3000', '*', ':', '：', '（', '）', '(', ')', '\u200b':
			return -1
		}
		return r
	}, s)
	return s
}

var aliasIndex = func() map[string]string {
	m := map[string]string{}
	for _, c := range Columns {
		for _, a := range c.Aliases {
			m[normHeader(a)] = c.Field
		}
	}
	return m
}()

// FieldOf returns the field a header names, or "" when it is not recognised.
func FieldOf(header string) string { return aliasIndex[normHeader(header)] }

// Stage values people write in the 政治面貌 column, mapped to the register's stages.
var stageWords = map[string]string{
	"中共党员": "full", "正式党员": "full", "党员": "full", "中国共产党党员": "full", "full": "full", "full member": "full",
	"中共预备党员": "probationary", "预备党员": "probationary", "probationary": "probationary",
	"发展对象": "development_target", "development target": "development_target", "development_target": "development_target",
	"入党积极分子": "activist", "积极分子": "activist", "activist": "activist",
	"入党申请人": "applicant", "申请人": "applicant", "applicant": "applicant",
	"群众": "masses", "masses": "masses", "共青团员": "masses", "团员": "masses", "无党派人士": "masses",
}

// StageOf maps a 政治面貌 cell to a stage; ok is false for an unknown word.
func StageOf(s string) (string, bool) {
	v, ok := stageWords[strings.ToLower(strings.TrimSpace(norm.NFKC.String(s)))]
	return v, ok
}

var genderWords = map[string]string{"男": "male", "女": "female", "male": "male", "female": "female", "m": "male", "f": "female"}

// GenderOf maps a 性别 cell to male or female; ok is false for an unknown word.
func GenderOf(s string) (string, bool) {
	v, ok := genderWords[strings.ToLower(strings.TrimSpace(s))]
	return v, ok
}

var statusWords = map[string]string{"正常": "normal", "normal": "normal", "已转出": "transferred_out", "转出": "transferred_out",
	"失联": "lost_contact", "失去联系": "lost_contact", "已故": "deceased", "去世": "deceased", "死亡": "deceased"}

// StatusOf maps a 状态 cell to a status; ok is false for an unknown word.
func StatusOf(s string) (string, bool) {
	v, ok := statusWords[strings.ToLower(strings.TrimSpace(s))]
	return v, ok
}
