// DocketAnalytics
