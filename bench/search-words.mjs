// What a person searches their messages for: common and rare words, accented and not, several
// languages, one to three words. Every bench script that searches draws its queries from here, so
// that their figures describe the same searches.
export const searchWords = [
  "sunday",
  "dinner",
  "birthday",
  "airport",
  "taxi",
  "museum",
  "interview",
  "dimanche",
  "boulangerie",
  "creme brulee",
  "geburtstag",
  "fruhstuck",
  "verspatung",
  "cumpleanos",
  "restaurante",
  "lisboa",
  "pao de queijo",
  "report",
  "concert",
  "photos",
]
