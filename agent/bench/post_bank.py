# One template a line reads better than wrapped strings; this module is data.
# ruff: noqa: E501
"""The sentence bank the benchmark posts are assembled from: data, one entry a line.

Ordinary LinkedIn and X posts by employees: hiring, launches that are already public,
conference talks, customer stories, congratulations, tech tips, industry commentary and
everyday team life. They carry what real prose carries and word-list rules have to read
past: digits of every kind, emoji (skin tones, ZWJ sequences, flags, keycaps), names,
@mentions, #hashtags, URLs, straight and curly quotes, and words that sit in policy word
lists (earnings, password, confidential, launch, idiot, guarantee, discount) used
innocently.

``{slot}`` marks a value drawn each time a template is used, from :data:`SLOT_LISTS` or
a number shape of the generator (``{person2}`` is a second, independent ``person``);
everything else is literal text.
"""

from __future__ import annotations


def _lines(block: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in block.strip().splitlines() if line.strip())


def _words(block: str) -> tuple[str, ...]:
    return tuple(block.split())


TOPICS: dict[str, tuple[str, ...]] = {
    "hiring": _lines("""
        We're hiring! {company} is looking for a {role} to join the {team} team in {city} {emoji}
        My team at {company} is growing: we have {n} open roles, from {role} to {role2}.
        The salary range for this one is {salary}, and yes, the range is real.
        If you love {tech} and can't stand flaky tests, we should talk.
        Apply here 👉 {url}
        Know someone great? Tag them below, referrals are how we've made our best hires.
        No cover letter needed. Tell us about something you built and what you'd do differently.
        The interview process has {n} steps and takes about two weeks; we share the questions up front.
        Hybrid setup: {n} days a week in our {city} office, the rest wherever you do your best work.
        We sponsor visas and help with relocation to {city} 🌍
        Not ticking every box on the list? Apply anyway. Most of us didn't either.
        Hiring managers, please stop ghosting candidates after the final round. A two-line email takes {n} minutes.
        Six months ago I posted about our first engineering hire. Today we're a team of {count}. {emoji}
        Looking for a {role} who can own {tech} end to end and mentor two juniors.
        Our {year} internship program is open: {n} paid spots, applications close {date}.
        DM me if you have questions, I read every message (it may take me a day or two).
        Our {team} team ships to {big} customers every week and we're looking for one more person to make it better.
        Bonus points if you've ever debugged production at {time} on a Friday and can still laugh about it.
        We work from written docs, not meetings, and about {pct} of the team is fully remote.
        First hire in {city}! Excited to welcome {person} as our {role} {emoji}
        Open roles: {role}, {role2} and {role3}. Details at {url}
        We're at {event} next week, come say hi at booth {booth} if you're curious about working with us.
        Every candidate gets feedback, whether we move forward or not. That's a promise, not a guarantee of an offer 😄
        The team: {n} engineers, two designers, one very patient product manager and a dog called {first}.
        Our stack is {tech}, {tech2} and a lot of coffee ☕
        Are you a new grad who's built something with {tech}? Our junior roles are open until {date}.
        Interview tip from the other side of the table: ask what we'd change about the job. We'll answer honestly.
        Thanks to everyone who applied last round: {big} applications for {n} roles, and we read them all.
        If you've been affected by layoffs recently, my DMs are open. Happy to review a CV or make an intro.
        Recruiters, please spell my name right. It's {first}, not whatever autocomplete picked 😂
        We're hiring for {role}s across {city}, {city2} and remote (UTC-3 to UTC+3).
        What you'll do: design APIs that {big} developers call every day, and keep them boring in the best way.
        What we offer: {n} weeks of paid leave, a learning budget of {budget} a year and a four-day week in August.
        Part-time and job-share applications are welcome for every role on this list.
        This role reports to {person}, who is genuinely the best manager I've had in {n} years.
        The first 90 days: shadow on-call, ship something small in week one, own a service by month three.
        We don't do whiteboard puzzles. You'll pair with us on a real (small) problem for an hour.
        Hiring is the most important thing I do as a manager, and also the hardest.
        Our {team} team went from {n} to {count} people this year and kept the same on-call rotation sane.
        Still looking for our founding {role}! The right person will shape how we build for the next {n} years.
        Career changers welcome: two of our best engineers started as teachers.
        Applications are reviewed by humans, every single one, usually within {n} business days.
        Retweets appreciated 🙏 {handle} is hiring too, go check their page.
        Fun fact: {pct} of our engineering team joined through referrals.
        Our apprenticeship starts on {date}: paid, {n} months, no degree required.
        We're hiring our first {role} in {city}, and the office has a balcony with a view of the river 🌇
        The job post says "rockstar" and I apologise; we just mean someone kind who writes tests.
        Honest question: what makes you actually click "apply" on a job post?
        Portfolio reviews every {weekday} at {time} for anyone applying to our design roles.
        Yes, the role is open to candidates in {country}, and we'll handle the employer-of-record side.
        Shoutout to {handle} for writing the clearest job description I've read this year.
        {handle} and I will host an open Q&A about the role on {weekday} at {time}.
        Thanks {handle} for the referral, your candidate starts on {date} 🙌
    """),
    "launch": _lines("""
        It's live! 🚀 {product} is now available to everyone.
        After {n} months of building, today we're launching {product} at {company}.
        Launch day is always a mix of excitement and refreshing the status page every {n} minutes 😅
        {product} {version} ships today with {n} features you asked for, and one you didn't know you needed.
        Numbers from the public beta: {pct} of teams used it daily, and search got {mult} faster.
        Huge thanks to the {big} beta testers who filed bugs, sent screenshots and put up with our rough edges.
        Try it free for {n} days: {url}
        Launch discount: {pct} off the first year for teams that sign up before {date}.
        We're live on Product Hunt today, an upvote or a comment would mean the world {emoji}
        The changelog is long, so here are the highlights.
        Dark mode, finally 🌙
        SSO with Okta and Azure AD is included on every plan.
        The new API returns errors a human can actually read.
        Exports to CSV, Parquet and Google Sheets are one click away.
        Search is {mult} faster on workspaces with more than {big} documents.
        Offline mode works on iOS and Android, and syncs when you're back online.
        The free tier now covers up to {big} events a month.
        Read the launch post from {person}: {url}
        Shoutout to {handle} and {handle2} for carrying this release over the finish line.
        No launch goes perfectly: we had a {n}-minute hiccup at {time} and the team handled it calmly.
        {product} started as a hackathon project in {year}; it took {n} rewrites to get here.
        We built it because we kept solving the same problem by hand every {weekday}.
        Pricing starts at {price} per seat per month, and open-source maintainers get it for free.
        What's next? Our public roadmap is at {url}, vote for what we build in {quarter}.
        The launch video was shot in one take in our {city} office; please ignore the plant in the background 🪴
        Today {company} opens its API to everyone: {n} endpoints, full OpenAPI spec, generous rate limits.
        We rebuilt the editor from scratch in {tech}. It loads in {ms} now, down from {n} seconds.
        Available today in {n} languages, with {country} and {country2} data residency options.
        The mobile app is out on the App Store and Google Play 📱
        If you were on the waitlist, check your inbox: invites went out at {time}.
        Release notes for {version}: {url}
        Our biggest update of {year} is here, and it's mostly about speed.
        Integrations with Slack, Jira, Linear and GitHub are live from day one.
        Accessibility was a launch requirement, not a follow-up: full keyboard support and WCAG 2.2 AA.
        We sweated the small stuff, like undo that works across tabs and timestamps in your own time zone.
        Open source from day one, MIT licensed, contributions welcome: {url}
        It took {count} pull requests, {n} design reviews and one very long whiteboard session.
        Thanks to our design partners at {company} and {company2} for months of candid feedback.
        The public launch follows {n} months of private beta with {count} companies.
        We're celebrating with a live demo on {weekday} at {time} CET, link in the comments.
        Self-hosted customers can upgrade with a single Helm chart bump to {version}.
        This release removes more code than it adds, and I've never been prouder of a diff.
        Existing customers get everything in this release at no extra cost.
        Migration guide for teams on the old version: {url}
        Launching on a {weekday} was a choice. We regret nothing (yet) 😬
        We soft-launched in {country} in {month} and today we're rolling out worldwide 🌍
        Public status page, public roadmap, public changelog: we want you to see how we work.
        A small launch, but a mighty one: bulk edit is here ✨
        The feature with the most upvotes on our feedback board ({big} votes!) ships today.
        Tell us what breaks. Seriously, our support team is standing by with {n} pots of coffee ☕
        Congrats to {handle}, {handle2} and the whole {team} team, this one was a marathon 🏁
        Feedback welcome here or to {handle}, who read every one of the {count} beta comments.
        {handle} found the last blocker at {time} last night. Hero.
    """),
    "talk": _lines("""
        Just got back from {event} in {city} and my head is full {emoji}
        Slides from my talk "{talk}" are up: {url}
        I'm speaking at {event} on {date} about {subject}.
        Catch me on the main stage at {time} on {weekday}; I'll explain why we moved from {tech} to {tech2}.
        Three takeaways from {event}, in no particular order.
        Nobody has solved onboarding, and everyone finally admits it.
        Observability bills are the new cloud bills.
        The best hallway track happens in the coffee line at 8:45 am.
        Great panel with {person}, {person2} and {handle} on {subject}.
        First time speaking to a room this size ({big} people!) and my hands shook for the first {n} minutes.
        The recording is on YouTube now: {url}
        Thanks to {handle} for the invite and to everyone who stayed for questions afterwards.
        Someone asked a question I couldn't answer on stage, so here's my answer {n} days late 👇
        The CFP for {event} closes on {date}. If you've never given a talk, this is your sign.
        The demo gods were kind today: the live demo worked on the first try 🙏
        The demo did not work. The audience laughed, I laughed, we moved on. Lesson: record a backup.
        Shoutout to the organisers and volunteers of {event}: {big} attendees and the Wi-Fi held up.
        I'll be at booth {booth} all week, come by for stickers and honest opinions about {tech}.
        Workshop materials, exercises and solutions are on GitHub: {url}
        Loved {person}'s keynote on {subject}. The line that stuck with me: “{quote}”
        My talk is {n} minutes long and I have {count} slides. Send help.
        Rehearsed my talk {n} times this week; my cat now knows more about {tech} than most engineers 🐈
        {event} day 2 recap thread 🧵
        Met {person} at the speaker dinner and we talked about {subject} until the restaurant closed.
        If you missed my session, the short version is: {quote}
        Speaking tip: end {n} minutes early. Nobody has ever complained that a talk was too short.
        Hosting a meetup in {city} on {date} with {person} and {person2}; pizza and {tech} from {time}.
        Our meetup just hit {big} members 🎉 Thank you for showing up month after month.
        The room was full, so we ran the session twice. Thank you, {city}!
        Podcast episode with {handle} is out: we talk about {subject} and my worst production incident.
        Today I gave my first talk in {language}. Not perfect, but I did it 💪
        Excited to co-present with {person} at {event} in {month}.
        The best question from the audience: "what would you do differently if you started today?"
        The full agenda for {event} is live at {url}
        Free tickets for students and underrepresented folks in tech: DM me, I have {n} codes left.
        Caught up with {count} people I'd only ever met on Zoom. Conferences still matter.
        Travelling to {city} for {event}; who else is going? ✈️
        Back home after {n} days, {big} steps a day and far too many free T-shirts.
        My favourite talk was {person}'s on {subject}: practical, funny and zero buzzwords.
        Video of the panel will be up next {weekday}, I'll post it here.
        Fireside chat with {person} today at {time}, questions welcome in the chat.
        My takeaway from {event}: {subject} is moving from slides to production.
        Sold out in {n} hours. If you didn't get a ticket, the livestream is free.
        Lightning talks are the best part of any conference, fight me 😄
        Here's the reading list from my talk, {n} books and {n2} papers: {url}
        Huge thanks to {company} for sponsoring the childcare room at {event} 👶
        Our team gave {n} talks at {event} this year, a new record for us.
        I spoke about how we cut our build times from {n} minutes to under {n2}.
        Next stop: {event2} in {month}. Same talk, new jokes.
        Thanks {handle} and {handle2} for the best hallway conversation of the week.
        Slides and notes, as promised to {handle}: {url}
        Live-tweeting {event} today with {handle} 📺
    """),
    "customer": _lines("""
        {company} cut their month-end close from {n} days to one after switching to {product}.
        When {company} first came to us, their on-call engineers were paged {n} times a night.
        Six months later: {pct} fewer support tickets and a team that sleeps through the night.
        “We stopped arguing about whose numbers are right,” says {person}, {title} at {company}.
        Their team of {n} now handles {big} orders a day without adding headcount.
        The full case study, shared with their permission: {url}
        What I love about this story is that the hardest part wasn't the technology, it was the habits.
        They saved {money} in the first year, mostly by switching off things nobody used.
        Customer stories are my favourite part of the job, and this one made my week {emoji}
        {person} and the team at {company} rolled it out to {big} stores in {n} weeks.
        The results after one quarter: {mult} faster onboarding and {pct} less manual data entry.
        Their nurses now spend {n} more minutes a shift with patients instead of paperwork.
        We sat with their warehouse team for two days before writing a single line of code.
        It started with one frustrated email to our support inbox at {time} on a {weekday}.
        Thank you {handle} for trusting us with something this important.
        {company} runs {pct} of their checkout traffic through us now, up from a small pilot in {month}.
        A small nonprofit in {city} used our free tier to coordinate {big} volunteers last winter ❤️
        Proud to see {company} speak about their journey with us at {event}.
        The best feature request we got this year came from {person} at {company}.
        Their developers now ship {mult} more often, with fewer rollbacks than before.
        From spreadsheets to real-time dashboards in {n} weeks 📈
        “It just works, and that's the highest compliment I can give software,” said {first} from their ops team.
        This is what happens when a customer's product team and ours share one Slack channel.
        They migrated {big} records over a weekend with zero downtime.
        Read how {company} brought their cloud bill down by {pct}: {url}
        The pilot was {n} users. Today it's the whole company, {big} people across {n2} countries.
        Every customer call teaches me something; this one taught me how much we'd underestimated offline mode.
        {company}'s CTO {person} walked us through their architecture and it was a masterclass.
        We helped {company} meet their accessibility goals a full quarter early.
        Their support queue went from {big} open tickets to under {n} in a month.
        Love seeing a customer turn into a contributor: {person} just opened their {ordinal} pull request to our SDK.
        It's not every day a customer sends the team cookies 🍪 Thank you, {company}!
        Customer-led growth isn't a slogan for us, it's who answers the phone.
        The win here wasn't speed, it was trust: their analysts finally believe the dashboard.
        Here's {person} explaining it better than I could, in a {n}-minute video: {url}
        Our customer advisory board met in {city} this week; {n} companies, {count} ideas, one very long whiteboard.
        A customer in {country} asked for right-to-left support. It shipped in {version}.
        When the hospital's system went down, their team called us at {time}. We were online in {n} minutes.
        Huge thanks to {company} for letting us share their numbers publicly.
        The renewal call lasted {n} minutes and most of it was about their new puppy 🐶
        They replaced {n} separate tools with one workflow and got their Fridays back.
        {company} processes {big} invoices a month through our API, with an error rate under 0.1%.
        This customer story was written by their team, not ours, which is the best kind.
        Our support team answered {big} tickets last month with a median first reply of {ms}.
        What customers say in the first five minutes of a call is worth more than any survey.
        Thanks {handle} for the kind words about our support team, I've shared them with everyone.
        {handle} summed it up: "we finally trust the numbers."
    """),
    "congrats": _lines("""
        Congratulations to {person} on {n} years at {company}! {emoji}
        Huge congrats {handle} on the promotion to {role}, so well deserved 🎉
        Today marks my {ordinal} work anniversary at {company}.
        I'm happy to share that I'm starting a new position as {role} at {company}!
        After {n} wonderful years, {weekday} was my last day at {company}.
        So proud of my team for winning the {company} hackathon with a project built in {n} hours.
        Congrats to the {company} team on closing their Series B, {money} to build what's next!
        Welcome to the team, {first}! 👋
        {first} passed the AWS Solutions Architect exam on the first try, and studied on the train every morning.
        Happy retirement, {person}: {n} years, {big} commits and the kindest code reviews I've ever had.
        Back from parental leave and so grateful to a team that covered for me for {n} months.
        So proud of {first} for giving their first conference talk today 👏🏽
        Please join me in congratulating {person}, our new {role}!
        {n} years ago I joined {company} as an intern. Today I'm leading the {team} team.
        Thank you to everyone who reached out on my new role, I'm still working through the messages 🙏
        Congrats to my former colleague {person} on launching their own company today!
        My mentee {first} just got their first engineering job, and I may have cried a little 🥲
        Huge milestone: our open-source project passed {big} stars on GitHub ⭐
        Congrats to {person} and {person2} on their well-earned award at {event}.
        Celebrating {n} years of {company} today, and the cake was excellent 🎂
        A new chapter: I'm joining {company} as {role}, starting {date}.
        Grateful to {person} for taking a chance on me {n} years ago.
        Congratulations {handle} on defending your PhD! Dr. {first} has a nice ring to it 🎓
        My manager nominated me for the {company} Impact Award and I'm still a bit speechless.
        Proud to be named one of {city}'s {n} women in tech to watch 👩🏽‍💻
        Shoutout to the night shift on our support team for {big} five-star ratings this quarter.
        I passed my driving test at {age}. Never too late for anything 🚗
        Congrats to everyone graduating from the {year} bootcamp cohort, the demo day projects were amazing.
        Our intern {first} shipped a feature that {big} customers used in its first week.
        {n} years, {n2} roles, {n3} managers, one company. Thank you, {company}.
        Excited to announce I've joined the board of {company}, a nonprofit teaching kids to code.
        Huge congratulations to {person} on being promoted to Principal Engineer 🚀
        Honoured to receive the {year} community award from {company}, shared with {n} amazing volunteers.
        Welcome back, {first}! We missed your terrible puns.
        A year ago I was laid off. Today I'm starting as {role} at {company}. Keep going 💛
        Cheers to {person} on their first {big} followers, well-deserved for the best {tech} threads out there.
        Wishing {first} all the best at {company}; their gain is our loss.
        Proud moment: our team's paper was accepted at {event} 📄
        Today I'm celebrating {n} years of sobriety, and I'm sharing it because someone might need to hear it.
        Happy {ordinal} birthday to {company}! From {n} founders in a garage to {count} people in {n2} countries.
        Cheers to {first} for mentoring {n} new grads this year while shipping the billing rewrite.
        I've been promoted to {role}! Thank you to my team, my manager {person}, and my very patient partner.
        Congrats {person} on your first marathon, {duration} of pure grit 🏃🏾‍♀️
        {person} became a certified scrum master last week and ran the best retro we've had since.
        Some personal news: after {n} years in {city}, I'm moving to {city2} for a new role.
        Congrats {handle}! Nobody deserved it more 🎉
        {handle} just got promoted and I'm the proudest former manager on the internet.
    """),
    "tips": _lines("""
        Tip: use `git commit --fixup` and `git rebase -i --autosquash` to keep review history clean.
        Please use a password manager. One unique password per site, and turn on 2FA everywhere.
        If an API key ever ends up in a public repo, rotate it first and write the postmortem second.
        SQL tip: run EXPLAIN ANALYZE before you add an index, not after.
        Your p99 is your users' p50 on a bad day.
        Stop writing SELECT * in production queries. Future you will say thanks.
        {tech} tip: read the release notes for {version} before you upgrade, there's a breaking change in the config.
        The fastest code is the code that doesn't run. Cache it, batch it, or delete it.
        I spent {n} hours chasing a memory leak that turned out to be a logger holding references. Felt like an idiot, learned a lot.
        A {n}-line shell script saves our team about {n2} hours a week: {url}
        Feature flags are not a substitute for tests, but they are a great seatbelt.
        Kill the process, read the logs, then restart. In that order.
        Confidential computing is finally practical for everyday workloads; {person}'s write-up is a great start: {url}
        Press ctrl+r in your terminal to search your history. It has saved me thousands of keystrokes.
        Design tokens changed how we ship UI: one token changes, {n} components update.
        TIL: Python's functools.cache is just lru_cache(maxsize=None) with a nicer name.
        Name your variables for the person reading them at {time} during an incident.
        If your standup takes more than {n} minutes, it's a meeting. Treat it like one.
        Write the README before the code. If you can't explain it, you can't build it.
        Use `--dry-run` flags generously, and build them into your own scripts too.
        A flaky test suite costs more trust than {count} green builds earn back.
        Timeouts on every network call. Every. Single. One.
        Postgres tip: a partial index on WHERE deleted_at IS NULL cut our query time from {ms} to {ms2}.
        Learn regex once properly and it will pay you back for {n} years.
        Reviewing a pull request? Start with the tests, then the code.
        Don't guarantee a date you can't control; guarantee an update when you know more.
        Small PRs get reviewed in hours, big PRs get reviewed in weeks.
        Your error messages are UX. "Something went wrong" is not an error message.
        Rotate your on-call every week, and pay people for it.
        Three things I check first when a service is slow: the database, the network, and what changed.
        Keyboard shortcut of the day: Cmd+Shift+P in VS Code opens the command palette 🧑‍💻
        Add `set -euo pipefail` to the top of your bash scripts. Thank me later.
        {tech} 101: start with the official tutorial, then break something on purpose.
        Don't store secrets in environment files you commit; use your cloud's secret manager.
        Log the request ID everywhere, it turns a two-hour investigation into two minutes.
        Profile first, optimise second. I've been wrong about the bottleneck {n} times out of {n2}.
        Write your postmortems blameless and specific, and publish them internally.
        The best documentation is a working example. The second best is an honest FAQ.
        Quick win: enable HTTP compression; our page weight dropped {pct} overnight.
        A good commit message says why, the diff already says what.
        Use a password reset flow that never emails the password itself. Yes, people still do that.
        Pin your dependencies, update them weekly, and let a bot open the PRs.
        Backups you haven't restored are not backups, they're hopes.
        On a slow laptop? Close the {n} Chrome tabs you're "going to read later" 😅
        Run your migrations in two steps: add the new column first, drop the old one a release later.
        Use UTC in the database and local time only in the UI. Always.
        Automate the thing you've done three times. Not the thing you've done once.
        Rubber duck debugging works. My duck is called {first} and has solved {n} bugs this year 🦆
        Prefer boring technology for the core and experiment at the edges.
        If your CI takes {n} minutes, everyone stops running it locally. Keep it under {n2}.
        Read the stack trace from the bottom up. The answer is usually in the first line you skipped.
        Accessibility tip: every icon button needs a label. Screen readers can't see your icon.
        A decision log beats a meeting recording every time.
        Stupid simple beats clever every time you're paged at {time}.
        Free course on {tech} from {company}, {n} hours, no signup wall: {url}
        Credit to {handle} for this trick, it saved my afternoon.
        {handle} has the best thread on {tech} performance I've read: {url}
    """),
    "commentary": _lines("""
        Hot take: most teams don't need microservices, they need better module boundaries.
        Everyone is talking about AI agents, but the boring part, data quality, still decides who wins.
        Listening to public earnings calls is an underrated way to learn how big companies think about risk.
        No tool can guarantee security; good habits get you most of the way.
        Customer acquisition costs rose about {pct} across SaaS in {year}, according to {company}'s annual industry survey.
        Open-source maintainers are critical infrastructure, and we pay them in GitHub stars ⭐
        Remote versus office is the wrong debate. Clear goals and written decisions matter more.
        Unpopular opinion: a {n}-page design doc beats a {n2}-slide deck every time.
        The {year} DORA report says elite teams deploy {mult} more often. The interesting part is why.
        Every company is a software company until the software breaks, then it's a people company.
        We're heading into {year} with more tools than ever and less time to learn them.
        Interest rates changed how startups hire, and the effects will last years.
        Security is a team sport, not a department.
        The best engineers I know ask "why" before "how".
        Tech layoffs dominated the headlines again this {month}; kindness in how it's done matters.
        The cloud isn't cheaper or more expensive, it's a different kind of bill.
        I've seen {n} reorgs in {n2} years. The teams that survived all had one thing in common: trust.
        Regulation is coming for AI in {country}, and honestly, some of it is overdue.
        The market is rewarding profitability over growth right now, and product roadmaps show it.
        Platform engineering is DevOps with a product manager, and that's a good thing.
        Quiet quitting was never about laziness; it was about unclear expectations.
        {pct} of developers in the latest Stack Overflow survey use AI assistants weekly. I'm one of them.
        Hype cycles are fine, as long as someone keeps shipping while everyone else is posting.
        Good managers protect focus time. Great managers make it the default.
        Ten years ago we argued about tabs versus spaces. Now we argue about which LLM writes better tests.
        A company's culture is what it rewards, not what it writes on the wall.
        The four-day week trial results from {country} are worth reading in full: {url}
        Technical debt is a loan. The problem isn't taking it, it's never paying the interest.
        Everyone wants senior engineers; nobody wants to train juniors. That math doesn't work for long.
        Public companies report earnings every quarter; startups should report lessons every month.
        The bottleneck in most orgs isn't engineering speed, it's decision speed.
        Unpopular opinion: the discount code in your onboarding email is not a growth strategy.
        Interesting thread by {handle} on why {tech} adoption stalled in {year}: {url}
        Chips, energy and data centres are the real story behind every AI headline.
        {company}'s outage last {weekday} is a reminder that a single region is a single point of failure.
        Europe's new accessibility rules take effect soon, and most websites aren't ready.
        If your product needs a {n}-page onboarding guide, the product is the problem.
        Burnout is an organisational problem that gets treated as a personal one.
        Fintech in {country} is moving faster than anywhere I've worked before.
        The next big platform shift will be boring, and that's how you'll know it's real.
        Mergers in our space are picking up again; customers mostly want to know their data is safe.
        Everyone is an idiot about something. Curiosity is admitting which thing it is for you 🙂
        The biggest risk in {year} isn't the technology, it's the talent gap.
        Meetings without an agenda should come with a refund.
        Supply chains got smarter since {year}, but most still run on spreadsheets and phone calls.
        Great products are mostly great defaults.
        Reading {person}'s essay on {subject} made me rethink how we plan quarters.
        Unpopular opinion: most dashboards are never looked at after the launch week.
        Every hype cycle leaves behind a few tools that quietly become essential.
        My prediction for {year}: the teams that win will be the ones that write things down.
        The job market for juniors in {city} is brutal right now, and it's on us seniors to open doors.
        Strongly agree with {handle} here, though I'd put it less politely.
        {handle} is right about this and I'll die on this hill with them.
    """),
    "team": _lines("""
        It's not a bug, it's an undocumented feature 🐛
        Spent all of {weekday} fixing a bug. The fix was one character 🤦‍♂️
        Works on my machine ™️
        Team offsite in {city}: {n} people, zero laptops, one very competitive board game night 🎲
        Our standup is {n} minutes, on purpose.
        {first} brought homemade cinnamon buns to the retro and now they run the retro forever.
        Friday deploys: yes or no? Asking for a friend 😬
        Coffee count today: {n} ☕
        Mentoring {first} has taught me more than any course I've taken.
        Someone called my code "stupid simple" in review and I've never been prouder.
        Hackathon results: {n} teams, {n2} demos, one dashboard made entirely of emoji 😂
        Our Slack channel #random has {big} members and one ongoing debate about pineapple on pizza 🍕
        The office plant survived another quarter. So did we 🌱
        Volunteered with {n} colleagues at the {city} food bank today; {big} meals packed.
        My favourite ritual: every {weekday} at {time}, demo whatever you shipped, however small.
        Not all heroes wear capes, some write migration scripts at {time} and leave a comment explaining why.
        Pair programming with {first} today and I learned {n} new shortcuts.
        We celebrate failed experiments as loudly as launches. Both teach us something.
        Took my first real vacation in {n} years and nothing broke. Turns out that's what a good team looks like.
        Me: I'll just fix this one small thing. Also me, {n} hours later: rewrites the build system.
        Our team has people in {n} time zones; the only meeting everyone can make is at {time} UTC.
        We planted {big} trees as a team this year 🌳
        Who else has a rubber duck on their desk? 🦆
        The intern asked why the service is called "{product}". Nobody remembers. 😂
        Team lunch in {city}: {n} cuisines, {n2} dietary requirements, zero complaints.
        Our book club is reading "{book}" this month; recommendations for the next one welcome 📚
        {first} just solved in ten minutes what I stared at all morning. Fresh eyes are a superpower.
        Pride month reminder: we're better when everyone can be themselves at work 🏳️‍🌈
        Running our first fully async quarter planning, wish us luck 🍀
        The bug was in the code I wrote {n} months ago. Of course it was.
        We moved our weekly all-hands from {time} to {time2} and attendance went up {pct}.
        Saying no to a feature is also product work.
        My {n}-year-old asked what I do at work. I said "I help computers talk to each other." She said "why are they fighting?"
        Grateful for a team where "I don't know" is a perfectly good answer in a meeting.
        New keyboard day ⌨️ Everything sounds like rain now.
        We gave every new joiner a {budget} budget for their home office, and the best chair purchases were legendary.
        Reminder to take a walk today. The bug will still be there when you get back 🚶
        Learning {language} on my lunch breaks, day {count} of my streak 🦉
        The quietest person in the meeting often has the best idea; ask them.
        Our on-call had zero pages this week, first time since {month} 🙌🏼
        Shipping is a team sport and this week the whole team scored ⚽
        We closed {big} tickets in our spring cleaning week and deleted {n} dashboards nobody used.
        Celebrating Diwali in the {city} office today 🪔 Happy Diwali to everyone celebrating!
        Eid Mubarak to everyone celebrating! 🌙
        Our new hire onboarding buddy program paired {n} people this quarter 🤝
        The best feedback I got this year: "your docs answered my question before I asked it."
        Happy birthday {handle}! 🎂 The team sang, badly.
        {handle} won the office bake-off for the {ordinal} year running 🧁
    """),
}

# Short lines that open an X post or a LinkedIn post in "one sentence per line" style.
OPENERS: tuple[str, ...] = _lines("""
    Big news 📣
    Quick update from the {team} team:
    A thread 🧵
    Some personal news.
    Can we talk about {subject} for a minute?
    This week in {city}:
    Reflections after {n} years in {tech}:
    Story time.
    Something I wish I'd known earlier:
    PSA for anyone using {tech}:
    Okay, I have to share this.
    Friday thoughts 💭
    Lessons from our {ordinal} year:
    New blog post ✍️
    {n} things I learned this month:
    Happy {weekday}! ☀️
    Three years ago today…
    Real talk:
    From the archives 📦
    Monday motivation, the honest version:
""")

# Lines that close a post: a question, a call to action, a sign-off.
CLOSERS: tuple[str, ...] = _lines("""
    What do you think? 👇
    Thoughts?
    I'd love to hear how your team handles this.
    Repost if this resonates ♻️
    Link in the comments.
    Follow me for more {tech} tips.
    More soon!
    Agree or disagree?
    Let's connect if you're working on {subject} too.
    Have a great weekend, everyone 🙌
    Onwards 🚀
    Full story here: {url}
    Drop your favourite tip below 👇🏻
    Grateful, as always 🙏🏼
    See you at {event}!
    Comments are open, be kind 💛
    Who else is going? 🙋‍♀️
    Save this for later 🔖
    Cc {handle}
    Let me know if I missed anything.
    Bookmark it, you'll need it one day.
    Happy to chat, my DMs are open.
    Sign up for the newsletter: {url}
    Any recommendations?
    That's it, that's the post.
""")

# Lines of a LinkedIn-style list: markers in front of sentences.
BULLETS: tuple[str, ...] = ("• ", "→ ", "✅ ", "- ", "1️⃣ ", "👉 ", "🔹 ", "* ")


_FIRST = _words("""
    Aisha Priya Mateo Sofia Wei Kenji Oluwaseun Fatima Lars Ingrid Siobhan Chidi Zoë José
    Björn Anaïs Dmitri Linh Hannah Marcus Yuki Tomás Amara Rafael Elif Jonas Leila Kwame
    Camille Arjun Noor Emeka Sven Ana Chen Aleksandra Diego Grace Hiroshi Imani Jakob
    Katarzyna Liam Mei Nikhil Olga Pedro Rania Sebastián Thandiwe Uma Viktor Wanjiru Xavier
    Yasmin Zainab Ben Chloé Dev Erin Farah Gabriel Ivy Jun Kofi Lucía Malik Nadia Oscar
""")
_LAST = _words("""
    Okafor Sharma García Rossi Zhang Tanaka Adeyemi Haddad Nilsson Berg O'Connor Eze
    Müller Dubois Petrov Nguyen Cohen Johnson Watanabe Hernández Mensah Schmidt Khan
    Silva Kowalski Andersson Moreau Fernandes Kariuki Singh Yilmaz Park Novak Oyelaran
    MacLeod Costa Ivanova Reyes Takahashi Abubakar Lindqvist Fischer Ali Brennan Okoye
""")

# Invented companies; a few also appear as domains and handles.
COMPANIES: tuple[str, ...] = _lines("""
    Northwind Labs
    Brightpath
    Kestrel Analytics
    Oakline
    Fernhill Health
    Quanta Freight
    Bluewater Pay
    Harborview Bank
    Tidewater Energy
    Lumen Robotics
    Parcelio
    Greenfield Foods
    Stackwise
    Corvid Security
    Meridian Learning
    Alder & Finch
    Copperleaf Insurance
    Sundial Travel
    Orbital Maps
    Pinecrest Retail
    Helio Mobility
    Foxglove Studio
    Ironbark Logistics
    Nimbus Data
    Cobalt Kitchens
    Riverstone Legal
    Wildflower Books
    Summit Clinics
    Bramble HR
    Keystone Manufacturing
""")

# The values a ``{slot}`` is drawn from; numbers, URLs and full names are drawn by the
# generator (agent/bench/corpus.py), which shapes them per draw.
SLOT_LISTS: dict[str, tuple[str, ...]] = {
    "first": _FIRST,
    "last": _LAST,
    "company": COMPANIES,
    "handle": _words("""
        @priya_codes @mateo_builds @kestrelhq @northwindlabs @sofia_writes_code @dev_linh
        @the_real_chidi @oakline @zoe_ships @jonas_on_infra @bluewaterpay @amara_designs
        @kenji_dev @fernhillhealth @siobhan_pm @stackwise_io @grace_talks_data @corvidsec
        @marcus_ops @ingrid_uxr @helio_mobility @yuki_sre @parcelio @rafa_frontend
        """),
    "hashtag": _words("""
        #hiring #OpenSource #WomenInTech #DevOps #AI #Kubernetes #Python #leadership
        #ProductManagement #startups #careers #SRE #UX #accessibility #engineering
        #CustomerSuccess #TechTwitter #100DaysOfCode #cloud #security #fintech #healthtech
        #remotework #BuildInPublic #teamwork #LaunchDay #ProductHunt #DataEngineering
        #TypeScript #Rust #MachineLearning #CareerGrowth #mentorship #DEI #sustainability
    """),
    "role": _lines("""
        Senior Backend Engineer
        Product Designer
        Staff SRE
        Data Scientist
        Engineering Manager
        Frontend Engineer
        Developer Advocate
        Technical Writer
        Product Manager
        Security Engineer
        Mobile Engineer
        Data Engineer
        Customer Success Manager
        Solutions Architect
        QA Engineer
        Head of Design
        Platform Engineer
        ML Engineer
        Support Engineer
        UX Researcher
    """),
    "team": _lines("""
        platform
        payments
        growth
        mobile
        data
        search
        infrastructure
        design
        checkout
        developer experience
        support
        analytics
        identity
        billing
    """),
    "city": _lines("""
        Berlin
        Lisbon
        Austin
        Toronto
        Bengaluru
        Nairobi
        São Paulo
        Singapore
        Kraków
        Dublin
        Amsterdam
        Lagos
        Melbourne
        Seoul
        Mexico City
        Copenhagen
        Barcelona
        Tel Aviv
        Montréal
        Zürich
        Cape Town
        Denver
    """),
    "country": _lines("""
        Germany
        Portugal
        Canada
        India
        Kenya
        Brazil
        Japan
        Poland
        Ireland
        the Netherlands
        Nigeria
        Australia
        Mexico
        Spain
        the UK
        South Africa
    """),
    "event": _lines("""
        KubeCon EU
        PyCon US
        Web Summit
        DevOpsDays Amsterdam
        SaaStr Annual
        our customer summit
        JSConf
        Config
        re:Invent
        GopherCon
        RustConf
        Data Council
        Grace Hopper Celebration
        SREcon
        Collision
        the local Python meetup
    """),
    "product": _lines("""
        Atlas
        Beacon
        Relay
        Lumen API
        Harbor
        Tally
        Pathfinder
        Waypoint
        Quill
        Sprout
        Keel
        Loom Sync
        Prism Insights
        Ledgerly
        Switchboard
    """),
    "tech": _lines("""
        Kubernetes
        Postgres
        Rust
        TypeScript
        Terraform
        React
        Python
        Go
        Kafka
        GraphQL
        dbt
        Snowflake
        Elixir
        Swift
        Kotlin
        Next.js
        OpenTelemetry
        Redis
        Figma
        Django
    """),
    "subject": _lines("""
        platform engineering
        developer productivity
        on-call without burnout
        accessible design systems
        data contracts
        observability on a budget
        the future of remote work
        hiring your first ten engineers
        zero-downtime migrations
        responsible AI in healthcare
        pricing for usage-based products
        building in public
        green software
        mentoring new managers
        API design
        incident reviews that actually help
    """),
    "talk": _lines("""
        Boring Technology, Exciting Results
        What We Learned From 1,000 Incidents
        Your Monolith Is Fine
        Designing for the Worst Day
        From 0 to 10k Requests per Second
        Feature Flags at Scale
        The Human Side of On-Call
        Data Quality Is a Product
        How We Cut Our Cloud Bill in Half
        Accessibility Is a Team Sport
    """),
    "quote": _lines("""
        The best time to write the runbook is before the incident.
        Speed comes from confidence, and confidence comes from tests.
        If nobody owns it, everybody pays for it.
        Simple systems fail in simple ways.
        Culture is what happens when nobody is in the meeting.
        Measure what users feel, not what servers do.
        Ship small, ship often, sleep well.
        Every dashboard is a question someone once asked.
    """),
    "book": _lines("""
        Accelerate
        The Manager's Path
        Thinking in Systems
        Team Topologies
        An Elegant Puzzle
        Designing Data-Intensive Applications
        The Mom Test
        Staff Engineer
        Inspired
        Radical Candor
    """),
    "title": _lines("""
        Head of Operations
        VP of Engineering
        CTO
        Director of Finance
        Lead Data Analyst
        Head of Customer Experience
        COO
        Chief Nursing Officer
    """),
    "language": _lines("""
        Portuguese
        Spanish
        German
        Japanese
        French
        Polish
        Swahili
        Korean
    """),
    "weekday": _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday"),
    "month": _words("""
        January February March April May June July August September October November December
    """),
    "ordinal": ("first", "second", "third", "fifth", "10th", "seventh", "3rd", "2nd", "15th"),
    "emoji": _words("""
        🚀 🎉 👏 💡 🙌 ✨ 👍🏽 ❤️ 🔥 📈 ✅ 🤝 😅 🙏 💪🏾 👩‍💻 👨🏽‍💻 🧑‍🚀 👩🏾‍🔬 🫶🏻
        🇩🇪 🇧🇷 🇰🇪 🇯🇵 🥳 💯 👋🏼 😂 🧠 🌍 ⭐ 🏆 📣 🤓 👀 🎯 💙 🙌🏿 👨‍👩‍👧 🧑🏻‍🤝‍🧑🏾
    """),
}

# URL shapes: domains of invented companies and the link shorteners people paste.
URL_SHAPES: tuple[str, ...] = (
    "https://{domain}/blog/{slug}",
    "https://{domain}/careers/{slug}",
    "https://www.{domain}/{slug}",
    "https://lnkd.in/{short}",
    "https://bit.ly/{short}",
    "https://github.com/{repo}",
    "https://youtu.be/{short}",
    "{domain}/{slug}",
)
DOMAINS: tuple[str, ...] = _words("""
    northwindlabs.com brightpath.dev kestrel.io oakline.app fernhillhealth.org
    bluewaterpay.com stackwise.io corvidsecurity.com meridianlearning.org parcelio.eu
""")
SLUG_WORDS: tuple[str, ...] = _words("""
    launch notes year in review how we hiring remote guide case study postgres migration
    on call lessons design system api v2 pricing update talk slides open source roadmap
""")
