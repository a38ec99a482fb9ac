package domain

import (
	"slices"
	"time"
)

// Preset returns a built-in section and its questions, in Russian,
// English and Uzbek, that an owner selects by name in the business config
// instead of writing the questions: "basic", "kids", "pets", "auto" or
// "beauty". The section id is the preset name; question ids and facts do
// not collide between presets, so any of them can be combined. Every call
// returns fresh values the caller may change.
func Preset(name string) (Section, []Question, bool) { return PresetAt(name, time.Now()) }

// PresetAt is Preset as of now: the "auto" car year accepts up to next year.
func PresetAt(name string, now time.Time) (Section, []Question, bool) {
	p, ok := presets[name]
	if !ok {
		return Section{}, nil, false
	}
	s, qs := p(now)
	return s, qs, true
}

// PresetNames lists the preset names, sorted, for messages about an
// unknown one.
func PresetNames() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// presetText is a text in the languages presets come with: Russian,
// English and Uzbek, so a business may offer any of them.
func presetText(ru, en, uz string) map[string]string {
	return map[string]string{"ru": ru, "en": en, "uz": uz}
}

func presetOption(id, ru, en, uz string) Option { return Option{ID: id, Text: presetText(ru, en, uz)} }

var presets = map[string]func(now time.Time) (Section, []Question){
	"basic":  presetBasic,
	"kids":   presetKids,
	"pets":   presetPets,
	"auto":   presetAuto,
	"beauty": presetBeauty,
}

func presetBasic(time.Time) (Section, []Question) {
	s := Section{ID: "basic", Title: presetText("О вас", "About you", "Siz haqingizda"), Offer: OfferFirstPurchase, Bonus: 50}
	return s, []Question{
		{ID: "birthday", Type: QuestionBirthday, Section: s.ID, Reward: 20, Fact: "birthday",
			Text: presetText("Когда у вас день рождения? Напишите дату, например 12.03.1990, — в этот день вас будет ждать подарок.",
				"When is your birthday? Type the date, e.g. 12.03.1990, and there will be a gift waiting for you on the day.",
				"Tugʻilgan kuningiz qachon? Sanani yozing, masalan, 12.03.1990 — oʻsha kuni sizni sovgʻa kutadi.")},
		{ID: "email", Type: QuestionEmail, Section: s.ID, Reward: 15,
			Text: presetText("Какой у вас e-mail? Предложения пришлём на него, только если вы согласились их получать, и без спама.",
				"What's your email address? We send offers to it only if you agreed to get them, and never spam.",
				"E-mail manzilingiz qanday? Takliflarni unga faqat ularni olishga rozi boʻlsangiz yuboramiz, spamsiz.")},
		{ID: "gender", Type: QuestionChoice, Section: s.ID, Reward: 10, Optional: true, Fact: "gender",
			Text: presetText("Укажите ваш пол — так наши предложения будут точнее.",
				"What's your gender? It helps us make our offers more relevant.",
				"Jinsingizni koʻrsating — shunda takliflarimiz sizga mosroq boʻladi."),
			Options: []Option{
				presetOption("female", "Женский", "Female", "Ayol"),
				presetOption("male", "Мужской", "Male", "Erkak"),
			}},
		{ID: "city", Type: QuestionCity, Section: s.ID, Reward: 10, Fact: "city",
			Text: presetText("В каком городе вы живёте?", "Which city do you live in?", "Qaysi shaharda yashaysiz?")},
	}
}

func presetKids(time.Time) (Section, []Question) {
	s := Section{ID: "kids", Title: presetText("Дети", "Your children", "Farzandlaringiz"), Offer: OfferNudge, Bonus: 50}
	return s, []Question{
		{ID: "children", Type: QuestionGroup, Section: s.ID, Reward: 20, Optional: true, Max: 5, Fact: "child",
			Text: presetText("Расскажите о ваших детях — будем предлагать подарки и товары по возрасту.",
				"Tell us about your children, and we'll suggest gifts and products that suit their age.",
				"Farzandlaringiz haqida aytib bering — ularning yoshiga mos sovgʻa va mahsulotlarni taklif qilamiz."),
			Fields: []Question{
				{ID: "name", Type: QuestionName, Optional: true,
					Text: presetText("Как зовут ребёнка?", "What's your child's name?", "Farzandingizning ismi nima?")},
				{ID: "birthday", Type: QuestionBirthday,
					Text: presetText("Когда у ребёнка день рождения? Например, 05.09.2021.",
						"When is your child's birthday? For example, 05.09.2021.",
						"Farzandingizning tugʻilgan kuni qachon? Masalan, 05.09.2021.")},
				{ID: "sex", Type: QuestionChoice,
					Text: presetText("Мальчик или девочка?", "Is it a boy or a girl?", "Oʻgʻil bolami yoki qiz bola?"),
					Options: []Option{
						presetOption("boy", "Мальчик", "Boy", "Oʻgʻil bola"),
						presetOption("girl", "Девочка", "Girl", "Qiz bola"),
					}},
			}},
	}
}

func presetPets(time.Time) (Section, []Question) {
	s := Section{ID: "pets", Title: presetText("Питомцы", "Your pets", "Uy hayvonlaringiz"), Offer: OfferNudge, Bonus: 40}
	return s, []Question{
		{ID: "has_pet", Type: QuestionYesNo, Section: s.ID, Reward: 10, Fact: "has_pet",
			Text: presetText("У вас есть домашний питомец?", "Do you have a pet?", "Uy hayvoningiz bormi?")},
		{ID: "pets", Type: QuestionGroup, Section: s.ID, Reward: 20, Max: 5, Fact: "pet",
			If: &Condition{Question: "has_pet", Equals: "yes"},
			Text: presetText("Расскажите о ваших питомцах — будем советовать то, что подойдёт именно им.",
				"Tell us about your pets, and we'll recommend what suits them best.",
				"Uy hayvonlaringiz haqida aytib bering — aynan ularga mos narsalarni tavsiya qilamiz."),
			Fields: []Question{
				{ID: "species", Type: QuestionChoice,
					Text: presetText("Кто у вас?", "What kind of pet is it?", "Sizda qanday hayvon bor?"),
					Options: []Option{
						presetOption("cat", "Кошка", "Cat", "Mushuk"),
						presetOption("dog", "Собака", "Dog", "It"),
						presetOption("other", "Другое", "Other", "Boshqa"),
					}},
				{ID: "name", Type: QuestionName, Optional: true,
					Text: presetText("Как зовут питомца?", "What's your pet's name?", "Uy hayvoningizning ismi nima?")},
				{ID: "birthday", Type: QuestionBirthday, Optional: true,
					Text: presetText("Когда у питомца день рождения? Если точно не знаете, подойдёт примерная дата.",
						"When is your pet's birthday? An approximate date is fine.",
						"Uy hayvoningizning tugʻilgan kuni qachon? Aniq bilmasangiz, taxminiy sana ham boʻladi.")},
			}},
	}
}

func presetAuto(now time.Time) (Section, []Question) {
	s := Section{ID: "auto", Title: presetText("Автомобиль", "Your car", "Avtomobilingiz"), Offer: OfferNudge, Bonus: 40}
	return s, []Question{
		{ID: "car_make", Type: QuestionText, Section: s.ID, Reward: 10, Fact: "car_make",
			Text: presetText("Какой марки ваш автомобиль? Например, Lada или Kia.",
				"What make is your car? For example, Toyota or Ford.",
				"Avtomobilingiz qaysi markada? Masalan, Chevrolet yoki Kia.")},
		{ID: "car_model", Type: QuestionText, Section: s.ID, Reward: 10, Fact: "car_model",
			Text: presetText("Какая модель? Например, Vesta или Rio.", "Which model? For example, Corolla or Focus.",
				"Qaysi model? Masalan, Cobalt yoki Gentra.")},
		{ID: "car_year", Type: QuestionNumber, Section: s.ID, Reward: 10, Fact: "car_year",
			Min: 1950, Max: int64(now.Year() + 1),
			Text: presetText("Какого года выпуска автомобиль? Например, 2015.",
				"What year was your car made? For example, 2015.",
				"Avtomobilingiz qaysi yili ishlab chiqarilgan? Masalan, 2015.")},
	}
}

func presetBeauty(time.Time) (Section, []Question) {
	s := Section{ID: "beauty", Title: presetText("Уход и красота", "Beauty and care", "Goʻzallik va parvarish"), Offer: OfferNudge, Bonus: 30}
	return s, []Question{
		{ID: "skin_type", Type: QuestionChoice, Section: s.ID, Reward: 15, Fact: "skin_type",
			Text: presetText("Какой у вас тип кожи?", "What's your skin type?", "Teringiz qaysi turga kiradi?"),
			Options: []Option{
				presetOption("dry", "Сухая", "Dry", "Quruq"),
				presetOption("oily", "Жирная", "Oily", "Yogʻli"),
				presetOption("combination", "Комбинированная", "Combination", "Aralash"),
				presetOption("normal", "Нормальная", "Normal", "Normal"),
				presetOption("sensitive", "Чувствительная", "Sensitive", "Sezgir"),
			}},
		{ID: "beauty_interests", Type: QuestionMulti, Section: s.ID, Reward: 15, Fact: "beauty_interests",
			Text: presetText("Что вам интересно? Отметьте всё, что подходит.",
				"What are you interested in? Choose all that apply.",
				"Sizni nimalar qiziqtiradi? Mos keladiganlarning hammasini belgilang."),
			Options: []Option{
				presetOption("skincare", "Уход за кожей", "Skincare", "Teri parvarishi"),
				presetOption("makeup", "Макияж", "Makeup", "Makiyaj"),
				presetOption("hair", "Уход за волосами", "Hair care", "Soch parvarishi"),
				presetOption("nails", "Ногти", "Nails", "Tirnoqlar"),
				presetOption("fragrance", "Ароматы", "Fragrance", "Atirlar"),
			}},
	}
}
