package masswork

import (
	"sort"
	"strings"
	"time"
)

// Default deadlines in working days: a first response within one working day and a
// resolution within ten (issue 4's defaults; an organization changes them per category).
const (
	DefaultResponseDays = 1
	DefaultResolveDays  = 10
)

// DefaultCategories returns the categories an organization starts with: the problems the
// merchants of a market raise. Codes are Open311 service codes.
func DefaultCategories() []*Category {
	list := []struct{ code, zh, en, group, keywords, desc string }{
		{"parking", "停车交通", "Parking and traffic", "交通", "停车,车位,堵车,交通",
			"停车难、车位不足、车辆乱停、道路拥堵"},
		{"sanitation", "环境卫生", "Sanitation", "环境", "垃圾,卫生,厕所,异味",
			"垃圾清运、公共卫生间、污水和异味"},
		{"fire_safety", "消防安全", "Fire safety", "安全", "消防,通道,堵塞,电线",
			"消防通道堵塞、乱拉电线、灭火器材缺失"},
		{"market_order", "市场秩序（假冒伪劣）", "Market order (counterfeits)", "市场", "假冒,伪劣,以次充好,欺诈",
			"假冒伪劣商品、外来摊贩、欺诈和不正当竞争"},
		{"network", "网络通信", "Network and telecoms", "设施", "宽带,网络,断网,信号",
			"宽带断网、网速慢、手机信号差"},
		{"facilities", "设施维修（防暑降温）", "Facilities and repairs (heat)", "设施", "维修,高温,遮阳,空调,降温",
			"公共设施损坏、走廊高温无遮阳、防暑降温设施"},
		{"other", "其他", "Other", "其他", "", "以上都不是的问题"},
	}
	out := make([]*Category, 0, len(list))
	for i, c := range list {
		out = append(out, &Category{Code: c.code, NameZh: c.zh, NameEn: c.en, Group: c.group, Keywords: c.keywords,
			Description: c.desc, ResponseDays: DefaultResponseDays, ResolveDays: DefaultResolveDays, Active: true,
			SortOrder: (i + 1) * 10})
	}
	return out
}

// matterHolidayNotices are the State Council's yearly notices of public holidays and the weekend
// days worked in their place (国务院办公厅关于部分节假日安排的通知): ranges of days off, and
// working days. Weekends inside an "off" range are listed too; it does not matter.
var matterHolidayNotices = map[int]struct {
	off  [][3]string // first day, last day, name
	work [][2]string // day, name
}{
	// 国办发明电〔2022〕16号
	2023: {
		off: [][3]string{{"2023-01-01", "2023-01-02", "元旦"}, {"2023-01-21", "2023-01-27", "春节"},
			{"2023-04-05", "2023-04-05", "清明节"}, {"2023-04-29", "2023-05-03", "劳动节"},
			{"2023-06-22", "2023-06-24", "端午节"}, {"2023-09-29", "2023-10-06", "中秋节、国庆节"}},
		work: [][2]string{{"2023-01-28", "春节调休"}, {"2023-01-29", "春节调休"}, {"2023-04-23", "劳动节调休"},
			{"2023-05-06", "劳动节调休"}, {"2023-06-25", "端午节调休"}, {"2023-10-07", "国庆节调休"}, {"2023-10-08", "国庆节调休"}},
	},
	// 国办发明电〔2023〕7号
	2024: {
		off: [][3]string{{"2024-01-01", "2024-01-01", "元旦"}, {"2024-02-10", "2024-02-17", "春节"},
			{"2024-04-04", "2024-04-06", "清明节"}, {"2024-05-01", "2024-05-05", "劳动节"},
			{"2024-06-10", "2024-06-10", "端午节"}, {"2024-09-15", "2024-09-17", "中秋节"}, {"2024-10-01", "2024-10-07", "国庆节"}},
		work: [][2]string{{"2024-02-04", "春节调休"}, {"2024-02-18", "春节调休"}, {"2024-04-07", "清明节调休"},
			{"2024-04-28", "劳动节调休"}, {"2024-05-11", "劳动节调休"}, {"2024-09-14", "中秋节调休"},
			{"2024-09-29", "国庆节调休"}, {"2024-10-12", "国庆节调休"}},
	},
	// 国办发明电〔2024〕12号
	2025: {
		off: [][3]string{{"2025-01-01", "2025-01-01", "元旦"}, {"2025-01-28", "2025-02-04", "春节"},
			{"2025-04-04", "2025-04-06", "清明节"}, {"2025-05-01", "2025-05-05", "劳动节"},
			{"2025-05-31", "2025-06-02", "端午节"}, {"2025-10-01", "2025-10-08", "国庆节、中秋节"}},
		work: [][2]string{{"2025-01-26", "春节调休"}, {"2025-02-08", "春节调休"}, {"2025-04-27", "劳动节调休"},
			{"2025-09-28", "国庆节调休"}, {"2025-10-11", "国庆节调休"}},
	},
	// 国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）
	2026: {
		off: [][3]string{{"2026-01-01", "2026-01-03", "元旦"}, {"2026-02-15", "2026-02-23", "春节"},
			{"2026-04-04", "2026-04-06", "清明节"}, {"2026-05-01", "2026-05-05", "劳动节"},
			{"2026-06-19", "2026-06-21", "端午节"}, {"2026-09-25", "2026-09-27", "中秋节"}, {"2026-10-01", "2026-10-07", "国庆节"}},
		work: [][2]string{{"2026-01-04", "元旦调休"}, {"2026-02-14", "春节调休"}, {"2026-02-28", "春节调休"},
			{"2026-05-09", "劳动节调休"}, {"2026-09-20", "国庆节调休"}, {"2026-10-10", "国庆节调休"}},
	},
}

// DefaultHolidays returns the national holiday list of a year as the State Council announced
// it, or nil for a year we do not carry. It is used for a year whose list nobody saved.
func DefaultHolidays(year int) []Holiday {
	n, ok := matterHolidayNotices[year]
	if !ok {
		return nil
	}
	var out []Holiday
	for _, r := range n.off {
		from, _ := time.Parse(time.DateOnly, r[0])
		to, _ := time.Parse(time.DateOnly, r[1])
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			out = append(out, Holiday{Day: d.Format(time.DateOnly), Kind: HolidayOff, Name: r[2]})
		}
	}
	for _, w := range n.work {
		out = append(out, Holiday{Day: w[0], Kind: HolidayWork, Name: w[1]})
	}
	sort.Slice(out, func(i, j int) bool { return strings.Compare(out[i].Day, out[j].Day) < 0 })
	return out
}

// Holiday kinds.
const (
	HolidayOff  = "off"  // a public holiday on a weekday, or its weekend
	HolidayWork = "work" // a weekend day worked in place of a holiday (调休)
)
